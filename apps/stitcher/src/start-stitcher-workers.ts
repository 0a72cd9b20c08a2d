import { jobView } from '@portrait-farm/jobs';
import { createLiveStreamCleanupWorker, JobStepError, openStepProcess, processAudio, processStitch } from '@portrait-farm/job-steps';
import type { FarmProcessConfig, RunningWorkers } from '@portrait-farm/job-steps';
import { lineLogger, silentLogger } from '@portrait-farm/logging';
import { loadSigningKey } from '@portrait-farm/provenance';
import type { SigningKey } from '@portrait-farm/provenance';
import type { FarmLogger } from '@portrait-farm/logging';
import { recordWebhookOutcome } from '@portrait-farm/metrics';
import type { FarmMetrics } from '@portrait-farm/metrics';
import { processPresence } from '@portrait-farm/ops';
import { createWebhookWorker, QUEUE_NAMES } from '@portrait-farm/queue';
import type { AudioJob, StitchJob } from '@portrait-farm/queue';

/** Options of {@link startStitcherWorkers}. */
export interface StitcherWorkersOptions {
  /** Where the steps and webhook delivery log (main.ts: the process's pino logger). @defaultValue silentLogger */
  logger?: FarmLogger;
  /** Where steps, jobs that end, webhook deliveries and storage errors are counted (main.ts serves it). @defaultValue nothing counted */
  metrics?: FarmMetrics;
}

/**
 * The stitcher process: Workers for the audio and stitch queues, webhook delivery (the job's view as its data), the
 * delayed removal of succeeded jobs' live streams, and its heartbeat in the registry (role stitcher: the job it stitches). With filesystem storage it needs the presign secret: job.succeeded
 * webhooks carry a presigned download URL.
 */
export async function startStitcherWorkers(config: FarmProcessConfig, options: StitcherWorkersOptions = {}): Promise<RunningWorkers> {
  const logger = options.logger ?? silentLogger;
  const { metrics } = options;
  const presence = processPresence('stitcher');
  const steps = await openStepProcess(config, logger, 'stitcher', {
    processId: presence.processId,
    onStage: presence.onStage,
    ...(metrics === undefined ? {} : { metrics }),
  });
  if (config.presignSecret === null && steps.deps.storage.driver === 'filesystem') {
    await steps.close();
    throw new JobStepError(
      'FARM_BAD_CONFIG',
      'PORTRAIT_FARM_PRESIGN_SECRET must be set with filesystem storage: the stitcher presigns the output URL that job.succeeded webhooks carry (the same secret as the gateway).',
    );
  }
  let signingKey: SigningKey | null = null;
  try {
    signingKey = config.signingKey === null ? null : loadSigningKey(config.signingKey);
  } catch (error) {
    await steps.close();
    throw new JobStepError('FARM_BAD_CONFIG', `PORTRAIT_FARM_SIGNING_KEY cannot be read: ${(error as Error).message}`);
  }
  if (signingKey === null) logger.warn({}, 'PORTRAIT_FARM_SIGNING_KEY is not set: videos get no signed provenance manifest');
  presence.start({
    redis: steps.connection('registry'),
    prefix: config.prefix,
    provider: 'none',
    onError: (error) => logger.warn({ err: error }, 'stitcher heartbeat not written; the next one tries again'),
  });
  const stitch = steps.stepWorker<StitchJob>(QUEUE_NAMES.stitch, config.stitchConcurrency, (data) =>
    processStitch(steps.deps, data.jobId, { liveGraceSeconds: config.liveGraceSeconds, signingKey }),
  );
  const audio = steps.stepWorker<AudioJob>(QUEUE_NAMES.audio, config.stitchConcurrency, (data) => processAudio(steps.deps, data.jobId));
  const webhooks = createWebhookWorker({
    connection: steps.connection('webhook-worker'),
    queues: steps.deps.queues,
    jobs: steps.deps.jobs,
    secretFor: (tenantId) => config.webhookSecrets[tenantId] ?? null,
    allowLoopback: config.webhookAllowLoopback,
    allowPrivate: config.webhookAllowPrivate,
    allowedHosts: config.webhookAllowHosts,
    ...(config.webhookRetryMs === null ? {} : { retry: { scheduleMs: config.webhookRetryMs, jitter: 0 } }),
    eventData: (record) => jobView(record, { publicBaseUrl: config.publicBaseUrl, presignSeconds: config.presignSeconds, storage: steps.deps.storage }),
    log: lineLogger(logger, { queue: QUEUE_NAMES.webhook }, 'warn'),
    onError: (error) => logger.error({ queue: QUEUE_NAMES.webhook, err: error }, 'queue worker error'),
    onReplaced: (replacement) => {
      metrics?.steps.workerReplacements.inc({ queue: QUEUE_NAMES.webhook });
      logger.warn({ queue: QUEUE_NAMES.webhook, ...replacement }, 'webhook worker took no delivery while deliveries were due; replaced by a new one');
    },
    onOutcome: (outcome) => {
      if (metrics !== undefined) recordWebhookOutcome(metrics.webhooks, outcome);
    },
  });
  const cleanup = createLiveStreamCleanupWorker({ deps: steps.deps, connection: steps.connection('cleanup-worker'), prefix: config.prefix });
  const workers = [stitch, audio, webhooks, cleanup];
  return {
    workers,
    async close() {
      await Promise.all([stitch.close(), audio.close(), webhooks.close(), cleanup.close()]);
      await presence.stop();
      await steps.close();
    },
  };
}
