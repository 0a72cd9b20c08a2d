import type { WebSocket } from 'ws';
import type { Engine, EngineWatermark, RenderPool, RenderThreads } from '@portrait-farm/engine';
import { loadAvatarPortrait } from '@portrait-farm/job-steps';
import { latencySettings, serveSessionSocket, startLiveSession, streamFeatures, type LiveSession, type LiveSessionOptions, type LiveTransport, type ServerMessage, type SessionSummary, type WebRtcIceOptions } from '@portrait-farm/live';
import { createIdleMotion } from '@portrait-farm/motion';
import { prepareMeshwarp } from '@portrait-farm/renderer';
import type { SessionEndReason, SessionRecord } from '@portrait-farm/sessions';
import type { ObjectStorage } from '@portrait-farm/storage';

/** What a hosted session runs on: the worker's engine and render threads, the farm's storage. */
export interface HostedSessionDeps {
  engine: Engine;
  renderThreads: RenderThreads;
  storage: ObjectStorage;
  /** The invisible watermark of the session's frames, or null for none. */
  watermark: (session: SessionRecord) => EngineWatermark | null;
  /** Where the avatar's preparation logs a warning. */
  log: (message: string) => void;
  /** Where sessions over WebRTC listen for their media (ICE host addresses, UDP ports). */
  webrtc?: WebRtcIceOptions;
}

/** How a hosted session ended. */
export interface HostedSessionEnd {
  reason: SessionEndReason;
  secondsStreamed: number;
  summary: SessionSummary | null;
}

/** A session running on this worker. */
export interface HostedSession {
  readonly record: SessionRecord;
  /** Seconds of stream handed to the client so far. */
  secondsStreamed(): number;
  /** Ends it from the server's side (DELETE, shutdown): the client gets `closed`, then the socket closes. */
  end(reason: 'deleted' | 'shutdown'): void;
  readonly ended: Promise<HostedSessionEnd>;
}

/**
 * Starts the engine side of a placed session, whatever carries it: the record's controls, seed, latency mode and
 * watermark on the worker's engine, the avatar on `pool`, rest motion seeded like its speech.
 */
export async function startRecordedSession(
  deps: HostedSessionDeps,
  record: SessionRecord,
  avatar: { pool: RenderPool; neutral: Float32Array },
  callbacks: Pick<LiveSessionOptions, 'onFrame'> & Partial<Pick<LiveSessionOptions, 'onPlanned' | 'onEvent'>>,
): Promise<LiveSession> {
  const pack = deps.engine.pack;
  const latency = latencySettings(record.latency, pack.liveDenoiser);
  const liveDenoiser = latency.liveModel ? await deps.engine.liveDenoiser() : null;
  return startLiveSession({
    engine: deps.engine,
    pool: avatar.pool,
    neutral: avatar.neutral,
    controls: { ...record.controls, seed: record.seed },
    rest: createIdleMotion({ seed: record.seed, channelMean: pack.channelMean, channelStd: pack.channelStd }),
    features: () => streamFeatures(deps.engine.audio.featureStream({ lookaheadMs: latency.featureLookaheadMs })),
    hopFrames: latency.hopFrames,
    lookaheadFrames: latency.lookaheadFrames,
    steps: latency.steps,
    startMarginMs: latency.startMarginMs,
    ...(liveDenoiser === null ? {} : { denoiser: liveDenoiser }),
    seed: record.seed,
    watermark: deps.watermark(record),
    ...callbacks,
  });
}

/**
 * Runs a claimed session over its socket: the avatar loaded (prepared once per mode and pack, then read back), the
 * session served by @portrait-farm/live on the worker's engine and render threads until it ends.
 */
export function hostSession(deps: HostedSessionDeps, record: SessionRecord, socket: WebSocket, transport: LiveTransport = 'fmp4'): HostedSession {
  const fps = deps.engine.pack.fps;
  let framesOut = 0;
  let endedBy: 'deleted' | 'shutdown' | null = null;
  const ending = new AbortController();
  const send = (message: ServerMessage): void => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };

  const run = async (): Promise<HostedSessionEnd> => {
    let portrait;
    try {
      portrait = await loadAvatarPortrait({ storage: deps.storage, engine: deps.engine }, { tenantId: record.tenantId, avatarId: record.avatarId }, record.mode, deps.log);
    } catch (error) {
      send({ type: 'error', code: 'SESSION_FAILED', message: `the avatar could not be loaded: ${error instanceof Error ? error.message : String(error)}` });
      send({ type: 'closed', reason: 'error', seconds_streamed: 0 });
      socket.close(1011, 'error');
      return { reason: 'error', secondsStreamed: 0, summary: null };
    }
    if (endedBy !== null) {
      send({ type: 'closed', reason: endedBy, seconds_streamed: 0 });
      socket.close(1000, endedBy);
      return { reason: endedBy, secondsStreamed: 0, summary: null };
    }
    // A client gone while the avatar loaded would never be heard closing by serveSessionSocket.
    if (socket.readyState !== socket.OPEN) return { reason: 'client', secondsStreamed: 0, summary: null };
    const prepared = prepareMeshwarp({ image: portrait.source.image, landmarks: portrait.source.landmarks, options: { headDistance: record.controls.headDistance ?? 0 } });
    const pool = deps.renderThreads.portrait(prepared);
    try {
      const summary = await serveSessionSocket({
        socket,
        inputSampleRate: record.inputSampleRate,
        width: prepared.width,
        height: prepared.height,
        fps,
        idleTimeoutMs: record.idleTimeoutSeconds * 1000,
        maxDurationMs: record.maxDurationSeconds * 1000,
        signal: ending.signal,
        transport,
        ...(deps.webrtc === undefined ? {} : { webrtc: deps.webrtc }),
        start: (callbacks) =>
          startRecordedSession(deps, record, { pool, neutral: portrait.neutral }, {
            ...callbacks,
            onFrame: async (frame) => {
              await callbacks.onFrame(frame);
              framesOut += 1;
            },
          }),
      });
      return { reason: endedBy ?? summary.reason, secondsStreamed: summary.secondsStreamed, summary };
    } finally {
      pool.close();
    }
  };

  const ended = run().catch((error: unknown): HostedSessionEnd => {
    send({ type: 'error', code: 'SESSION_FAILED', message: error instanceof Error ? error.message : String(error) });
    send({ type: 'closed', reason: 'error', seconds_streamed: framesOut / fps });
    if (socket.readyState === socket.OPEN) socket.close(1011, 'error');
    return { reason: 'error', secondsStreamed: framesOut / fps, summary: null };
  });
  return {
    record,
    secondsStreamed: () => framesOut / fps,
    end(reason) {
      if (endedBy !== null) return;
      endedBy = reason;
      // Serving: serveSessionSocket sends `closed` with the reason and closes; still loading the avatar: run() does.
      ending.abort(reason);
    },
    ended,
  };
}
