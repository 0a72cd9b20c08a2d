import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { answerUpgrade, parseStreamRequest, proxyStreamUpgrade } from '@portrait-farm/sessions';
import type { GatewayContext } from './context.ts';
import { GATEWAY_ERRORS, GatewayError, type GatewayErrorCode } from './errors.ts';
import { STREAM_SESSION_SCHEMA } from './session-schemas.ts';

/** What the gateway's stream proxy needs: the session records, and a log. */
export interface SessionStreamDeps {
  sessions: GatewayContext['sessions'];
  log: FastifyBaseLogger;
}

/** The upgraded connections piped now; the gateway's close destroys them (their sessions then end as `client`). */
export interface SessionStreams {
  /** Connections being piped to a worker. */
  open(): number;
  /** Destroys every piped connection, both sides. */
  closeAll(): void;
}

function refuse(socket: Duplex, code: GatewayErrorCode, message: string): void {
  answerUpgrade(socket, GATEWAY_ERRORS[code].status, { error: { code, message } });
}

/**
 * `GET /v1/sessions/{id}/stream?token=...` (a WebSocket upgrade) on the gateway: forwarded to the worker the session
 * was placed on, at the internal address its record carries, so any gateway reaches any session. The worker checks
 * the token and the handshake as for a direct connection (its refusals reach the client as it answered them); the
 * gateway answers only what it alone knows: no such session (404), ended (410), worker unreachable (502).
 */
export function serveSessionStreams(server: Server, deps: SessionStreamDeps): SessionStreams {
  /** How to end each connection piped now. */
  const piped = new Set<() => void>();

  const forward = async (request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    const stream = parseStreamRequest(request.url);
    if (stream === null) return refuse(socket, 'GATEWAY_NOT_FOUND', `No WebSocket route at ${new URL(request.url ?? '/', 'http://gateway').pathname}: session streams are at /v1/sessions/{id}/stream?token=...`);
    const record = await deps.sessions.read(stream.sessionId);
    if (record === null) return refuse(socket, 'GATEWAY_SESSION_NOT_FOUND', `No session ${JSON.stringify(stream.sessionId)}: use the stream.url POST /v1/sessions returned.`);
    if (record.status === 'ended') return refuse(socket, 'GATEWAY_SESSION_ENDED', `The session ended (${record.endReason ?? 'unknown'}). Create a new session.`);
    const outcome = await proxyStreamUpgrade(request, socket, head, { target: record.hostUrl });
    if (outcome.kind === 'unreachable') {
      deps.log.warn({ err: outcome.error, sessionId: record.id, hostId: record.hostId }, 'session host unreachable');
      return refuse(socket, 'GATEWAY_SESSION_HOST_UNREACHABLE', `The worker hosting the session did not answer (${outcome.error.message}); the token is still good until it expires.`);
    }
    if (outcome.kind === 'refused') return;
    piped.add(outcome.destroy);
    deps.log.info({ sessionId: record.id, hostId: record.hostId }, 'session stream proxied');
    await outcome.closed;
    piped.delete(outcome.destroy);
    deps.log.info({ sessionId: record.id }, 'session stream closed');
  };

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    forward(request, socket, head).catch((error: unknown) => {
      deps.log.error({ err: error }, 'session stream upgrade failed');
      if (!socket.destroyed) refuse(socket, 'GATEWAY_UNAVAILABLE', 'The session record could not be read; try again.');
    });
  });

  return {
    open: () => piped.size,
    closeAll() {
      for (const destroy of piped) destroy();
    },
  };
}

/**
 * The stream's route as the OpenAPI document shows it. Node hands every upgrade to serveSessionStreams, never to a
 * route; a GET without one lands here and is told to upgrade (400 GATEWAY_UPGRADE_REQUIRED).
 */
export async function sessionStreamRoute(app: FastifyInstance): Promise<void> {
  const upgradeRequired = async (): Promise<never> => {
    throw new GatewayError('GATEWAY_UPGRADE_REQUIRED', 'Connect with a WebSocket (Upgrade: websocket) to the stream.url POST /v1/sessions returned.', { upgrade: 'websocket' });
  };
  // Before validation: the handshake headers the document requires are missing from every request that gets here.
  app.get('/v1/sessions/:sessionId/stream', { schema: STREAM_SESSION_SCHEMA, preValidation: upgradeRequired }, upgradeRequired);
}
