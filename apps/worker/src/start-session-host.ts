import type { Engine, RenderThreads } from '@portrait-farm/engine';
import type { FarmProcessConfig, StepProcess } from '@portrait-farm/job-steps';
import { startSessionHost, type SessionHost } from '@portrait-farm/live-host';
import type { FarmLogger } from '@portrait-farm/logging';
import { recordSessionEnd, type FarmMetrics } from '@portrait-farm/metrics';
import { watermarkPayload } from '@portrait-farm/provenance';

/** What the worker's session server shares with its batch steps. */
export interface WorkerSessionDeps {
  steps: StepProcess;
  engine: Engine;
  renderThreads: RenderThreads;
  /** The worker's id in the registries. */
  hostId: string;
  logger: FarmLogger;
  metrics?: FarmMetrics;
  /** Called as each session starts, before its portrait loads (the worker stops its warm-up). */
  onSessionStart?: () => void;
}

/**
 * The worker's realtime sessions (PORTRAIT_FARM_SESSIONS_PER_WORKER > 0): its session server on the worker's engine
 * and render threads, beside the batch steps; frames watermarked as a job's are (payload from the session id).
 */
export async function startWorkerSessions(config: FarmProcessConfig, deps: WorkerSessionDeps): Promise<SessionHost | null> {
  if (config.sessions.perWorker === 0) return null;
  const { metrics, engine } = deps;
  const host = await startSessionHost({
    redis: deps.steps.connection('sessions'),
    subscriber: deps.steps.connection('sessions-end'),
    prefix: config.prefix,
    engine,
    renderThreads: deps.renderThreads,
    storage: deps.steps.deps.storage,
    hostId: deps.hostId,
    capacity: config.sessions.perWorker,
    listenHost: config.sessions.host,
    port: config.sessions.port,
    publicUrl: config.sessions.internalUrl,
    webrtc: config.sessions.webrtc,
    logger: deps.logger,
    watermark: (session) => ({
      payload: new Uint8Array(watermarkPayload({ jobId: session.id, tenantId: session.tenantId, packVersion: engine.pack.version, date: new Date(session.createdAt) })),
      key: config.watermarkKey,
    }),
    onStarted: () => {
      deps.onSessionStart?.();
      metrics?.sessions.running.inc();
    },
    ...(metrics === undefined
      ? {}
      : {
          onStreamed: (seconds: number) => metrics.sessions.seconds.inc(seconds),
          onEnded: (reason: string) => {
            metrics.sessions.running.dec();
            recordSessionEnd(metrics.sessions, reason);
          },
        }),
  });
  return host;
}
