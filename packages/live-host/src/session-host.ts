import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import type { Duplex } from 'node:stream';
import type { Cluster, Redis } from 'ioredis';
import { WebSocketServer } from 'ws';
import { silentLogger, type FarmLogger } from '@portrait-farm/logging';
import { parseTransport } from '@portrait-farm/live';
import { registerSessionHost, SessionStore, type SessionEndReason } from '@portrait-farm/sessions';
import { loadRtcNode, type LiveKitRtc } from '@portrait-farm/livekit-avatar';
import { hostLiveKitSession } from './hosted-livekit-session.ts';
import { hostSession, type HostedSession, type HostedSessionDeps } from './hosted-session.ts';
import { parseStreamRequest } from './stream-request.ts';
import { claimRefusal, isWebSocketHandshake, refuseUpgrade } from './upgrade-refusal.ts';

/** Options of {@link startSessionHost}. */
export interface SessionHostOptions extends Omit<HostedSessionDeps, 'log' | 'watermark'> {
  /** Commands. */
  redis: Redis | Cluster;
  /** A connection of its own for the end channel's subscription (closed by the caller). */
  subscriber: Redis | Cluster;
  /** The deployment's key prefix. */
  prefix: string;
  /** This worker's id in the hosts registry. */
  hostId: string;
  /** Sessions this worker runs at once. */
  capacity: number;
  /** Address and port the session server listens on (port 0: any free one). */
  listenHost: string;
  port: number;
  /**
   * Where clients (the gateways, which forward the sessions' streams) reach the server (ws:// or wss://, no path), or
   * null: `ws://{listenHost}:{port}`, the machine's host name for a server listening on every address.
   */
  publicUrl: string | null;
  /**
   * How often the host looks for LiveKit sessions placed on it that it has not claimed (a start message missed while
   * its subscription reconnected, or sent while it restarted) (ms). @defaultValue 2000
   */
  claimSweepMs?: number;
  /** How often a streaming session's seconds are metered (ms). @defaultValue 5000 */
  meterEveryMs?: number;
  /** The host's registration expires this long after its last heartbeat (ms). @defaultValue 15 000 */
  registrationTtlMs?: number;
  watermark?: HostedSessionDeps['watermark'];
  logger?: FarmLogger;
  /** rtc-node for LiveKit sessions (the room double in tests). @defaultValue loadRtcNode */
  livekitRtc?: () => Promise<LiveKitRtc>;
  /** Called when a session starts streaming. */
  onStarted?: () => void;
  /** Called now and then per session with the seconds streamed since the last call (metrics). */
  onStreamed?: (seconds: number) => void;
  /** Called once per ended session. */
  onEnded?: (reason: SessionEndReason, secondsStreamed: number) => void;
}

/** A worker's running session server. */
export interface SessionHost {
  /** Where clients reach it (what the registry offers). */
  readonly url: string;
  readonly port: number;
  /** Sessions running now. */
  running(): number;
  /** Withdraws the capacity, ends every session (`closed` first, reason `shutdown`), records their ends, stops the server. */
  close(): Promise<void>;
}

/**
 * Starts a worker's session server: WebSocket upgrades at `/v1/sessions/{id}/stream?token=...` checked against the
 * session records (a wrong or spent token, an unknown or ended session are refused with their HTTP status), each
 * session hosted on the worker's engine and render threads, its seconds metered and its end recorded whatever ends
 * it; the capacity offered in the registry while it runs; DELETEs heard on the end channel; LiveKit sessions placed
 * here claimed at start-up, when a start message comes, when the subscription reconnects and every `claimSweepMs`.
 */
export async function startSessionHost(options: SessionHostOptions): Promise<SessionHost> {
  const logger = options.logger ?? silentLogger;
  const claimSweepMs = options.claimSweepMs ?? 2000;
  if (!Number.isFinite(claimSweepMs) || claimSweepMs <= 0) throw new RangeError(`claimSweepMs must be a positive number of ms. Passed: ${claimSweepMs}`);
  // The pack's model for sessions is opened now, not by the first session that needs it.
  await options.engine.liveDenoiser();
  const store = new SessionStore(options.redis, options.prefix);
  const sessions = new Map<string, HostedSession>();
  const metered = new Map<string, number>();
  const endings = new Set<Promise<void>>();
  let closing = false;
  const deps: HostedSessionDeps = {
    engine: options.engine,
    renderThreads: options.renderThreads,
    storage: options.storage,
    watermark: options.watermark ?? (() => null),
    log: (message) => logger.warn({ component: 'live-host' }, message),
    ...(options.webrtc === undefined ? {} : { webrtc: options.webrtc }),
  };

  /** Hands onStreamed the seconds a session streamed since the last count. */
  const countStreamed = (id: string, seconds: number): void => {
    const before = metered.get(id) ?? 0;
    if (seconds <= before) return;
    metered.set(id, seconds);
    options.onStreamed?.(seconds - before);
  };

  // 8 MiB: over four minutes of 16 kHz PCM16 in one message; a larger one closes the socket (1009).
  const wss = new WebSocketServer({ noServer: true, maxPayload: 8 << 20 });
  const server = createServer((_request, response) => {
    response.writeHead(426, { 'content-type': 'application/json', upgrade: 'websocket' });
    response.end(JSON.stringify({ error: { code: 'LIVE_HOST_UPGRADE_REQUIRED', message: 'Connect with a WebSocket to the stream.url POST /v1/sessions returned.' } }));
  });

  /** Runs a session that started: metered while it streams, its end recorded whatever ends it. */
  const track = (session: HostedSession): void => {
    const record = session.record;
    sessions.set(record.id, session);
    options.onStarted?.();
    logger.info({ sessionId: record.id, tenant: record.tenantId, avatarId: record.avatarId }, 'session streaming');
    const timer = setInterval(() => {
      const seconds = session.secondsStreamed();
      countStreamed(record.id, seconds);
      store.progress(record.id, seconds).catch((error: unknown) => logger.warn({ err: error, sessionId: record.id }, 'session progress not metered'));
    }, options.meterEveryMs ?? 5000);
    const ending = session.ended
      .then(async (end) => {
        clearInterval(timer);
        countStreamed(record.id, end.secondsStreamed);
        options.onEnded?.(end.reason, end.secondsStreamed);
        await store.end(record, end.reason, end.secondsStreamed);
        logger.info({ sessionId: record.id, tenant: record.tenantId, reason: end.reason, secondsStreamed: end.secondsStreamed }, 'session ended');
      })
      .catch((error: unknown) => logger.error({ err: error, sessionId: record.id }, 'session end not recorded'))
      .finally(() => {
        sessions.delete(record.id);
        metered.delete(record.id);
        endings.delete(ending);
      });
    endings.add(ending);
    if (record.endRequested) session.end('deleted');
  };

  /** Claims the LiveKit sessions placed here and not claimed yet, and plays each in its room. */
  const claimLiveKit = async (): Promise<void> => {
    if (closing) return;
    for (const { sessionId, token } of await store.claimLiveKit(options.hostId)) {
      const record = await store.read(sessionId);
      if (record === null) continue;
      // Claimed while the host began to close: the session ends as its other sessions do.
      if (closing) await store.end(record, 'shutdown', 0);
      else track(hostLiveKitSession({ ...deps, livekitRtc: options.livekitRtc ?? loadRtcNode }, record, token));
    }
  };
  /** One sweep at a time; a sweep asked for while one runs runs after it (a start message may have come meanwhile). */
  let sweeping: Promise<void> = Promise.resolve();
  let sweepQueued = false;
  const sweepLiveKit = (): void => {
    if (sweepQueued) return;
    sweepQueued = true;
    sweeping = sweeping
      .then(() => {
        sweepQueued = false;
        return claimLiveKit();
      })
      .catch((error: unknown) => logger.error({ err: error }, 'LiveKit sessions not claimed; the next sweep tries again'));
  };

  const accept = async (request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    const stream = parseStreamRequest(request.url);
    if (stream === null) return refuseUpgrade(socket, 'LIVE_HOST_NOT_A_STREAM');
    if (stream.token === null) return refuseUpgrade(socket, 'LIVE_HOST_NO_TOKEN');
    const transport = parseTransport(stream.transport);
    if (typeof transport !== 'string') return refuseUpgrade(socket, 'LIVE_HOST_BAD_TRANSPORT');
    if (!isWebSocketHandshake(request)) return refuseUpgrade(socket, 'LIVE_HOST_BAD_HANDSHAKE');
    if (closing) return refuseUpgrade(socket, 'LIVE_HOST_SHUTTING_DOWN');
    const claim = await store.claim(options.hostId, stream.sessionId, stream.token);
    if (claim !== 'ok') return refuseUpgrade(socket, claimRefusal(claim));
    const record = await store.read(stream.sessionId);
    if (record === null) return refuseUpgrade(socket, 'LIVE_HOST_SESSION_NOT_FOUND');
    // A handshake ws still refuses leaves no session behind holding the slot.
    const abandoned = (): void => void store.end(record, 'error', 0).catch(() => {});
    socket.once('close', abandoned);
    wss.handleUpgrade(request, socket, head, (ws) => {
      socket.off('close', abandoned);
      track(hostSession(deps, record, ws, transport));
    });
  };

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    accept(request, socket, head).catch((error: unknown) => {
      logger.error({ err: error }, 'session upgrade failed');
      socket.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.listenHost, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const name = options.listenHost === '0.0.0.0' || options.listenHost === '::' ? hostname() : options.listenHost;
  const url = options.publicUrl ?? `ws://${name.includes(':') ? `[${name}]` : name}:${port}`;

  const { subscriber } = options;
  subscriber.on('message', (channel: string, message: string) => {
    if (channel === store.keys.endChannel) sessions.get(message)?.end('deleted');
    else if (channel === store.keys.startChannel) sweepLiveKit();
  });
  // Start messages published while the subscription was down are lost: look for their sessions once it is back.
  subscriber.on('ready', sweepLiveKit);
  await subscriber.subscribe(store.keys.endChannel, store.keys.startChannel);

  const registration = await registerSessionHost(options.redis, options.prefix, {
    hostId: options.hostId,
    url,
    capacity: options.capacity,
    ...(options.registrationTtlMs === undefined ? {} : { ttlMs: options.registrationTtlMs }),
    // A DELETE published while the subscription was reconnecting is still seen here.
    onHeartbeat: async () => {
      for (const [id, session] of sessions) if ((await store.read(id))?.endRequested === true) session.end('deleted');
    },
    onError: (error) => logger.warn({ err: error }, 'session host heartbeat not written; the next one tries again'),
  });
  sweepLiveKit();
  const sweepTimer = setInterval(sweepLiveKit, claimSweepMs);
  logger.info({ url, capacity: options.capacity, hostId: options.hostId }, 'session host listening');

  return {
    url,
    port,
    running: () => sessions.size,
    async close() {
      closing = true;
      clearInterval(sweepTimer);
      subscriber.off('ready', sweepLiveKit);
      await sweeping;
      await registration.stop();
      for (const session of sessions.values()) session.end('shutdown');
      await Promise.all([...endings]);
      // Sessions placed here whose clients had not connected yet end too, freeing nothing anyone could use.
      for (const id of await store.placedOn(options.hostId)) await store.end({ id, hostId: options.hostId }, 'shutdown', 0);
      await subscriber.unsubscribe(store.keys.endChannel, store.keys.startChannel).catch(() => {});
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
