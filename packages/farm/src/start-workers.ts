import { createEngine, startRenderThreads } from '@portrait-farm/engine';
import type { Engine } from '@portrait-farm/engine';
import { JobStore, jobView, watchCancellations } from '@portrait-farm/jobs';
import type { ExecutionProvider } from '@portrait-farm/model-runtime';
import { createRedisConnection, createWebhookWorker, FarmQueues, QUEUE_NAMES } from '@portrait-farm/queue';
import type { AudioJob, PrepareJob, SegmentJob, StitchJob } from '@portrait-farm/queue';
import { createStorage } from '@portrait-farm/storage';
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { ClipCache } from './clip-cache.ts';
import { FarmError } from './errors.ts';
import { createLiveStreamCleanupWorker } from './live-stream-cleanup.ts';
import type { FarmProcessConfig } from './farm-config.ts';
import type { EngineDeps, FarmDeps } from './farm-deps.ts';
import { processAudio } from './process-audio.ts';
import { processPrepare } from './process-prepare.ts';
import { processSegment } from './process-segment.ts';
import { processStitch } from './process-stitch.ts';
import { createScratchDir } from './scratch-dir.ts';
import type { StepOutcome } from './step-support.ts';
import { stepWorker } from './step-worker.ts';

/** Running farm Workers of one process. */
export interface RunningWorkers {
  workers: readonly Worker[];
  /** Stops taking steps, lets running ones finish (or hands them back), closes connections and the engine. */
  close(): Promise<void>;
}

interface Shared {
  deps: FarmDeps;
  connections: Redis[];
  connection(name: string): Redis;
  closeShared(): Promise<void>;
}

async function openShared(config: FarmProcessConfig, log: (line: string) => void, role: string): Promise<Shared> {
  const connections: Redis[] = [];
  const connection = (name: string): Redis => {
    const redis = createRedisConnection(config.redisUrl, { role: 'worker', connectionName: `pf-${role}-${name}` });
    redis.on('error', () => {});
    connections.push(redis);
    return redis;
  };
  const jobs = new JobStore({ redis: connection('jobs'), prefix: config.prefix });
  const queues = new FarmQueues({ connection: connection('queues'), prefix: config.prefix, onError: () => {} });
  const cancels = await watchCancellations({ subscriber: connection('cancel'), store: jobs });
  const storage = createStorage(config.storageUrl, {
    ...(config.presignSecret === null ? {} : { presignSecret: config.presignSecret }),
    presignBaseUrl: config.publicBaseUrl,
  });
  const scratch = await createScratchDir(config.tempDir);
  if (scratch.swept.length > 0) log(`removed the scratch folders of ${scratch.swept.length} farm process(es) that died: ${scratch.swept.join(', ')}`);
  return {
    deps: { storage, jobs, queues, cancels, tempDir: scratch.dir, log },
    connections,
    connection,
    async closeShared() {
      await cancels.close();
      await queues.close();
      await storage.close();
      for (const redis of connections) redis.disconnect();
      await scratch.remove();
    },
  };
}

/** A step Worker on the process's shared dependencies, with a Redis connection of its own. */
function sharedStepWorker<T extends { jobId: string }>(
  shared: Shared,
  config: FarmProcessConfig,
  queue: string,
  concurrency: number,
  run: (data: T) => Promise<StepOutcome>,
): Worker<T> {
  const { prefix, lockMs, stalledIntervalMs } = config;
  return stepWorker(queue, { deps: shared.deps, connection: shared.connection(`${queue}-worker`), prefix, concurrency, lockMs, stalledIntervalMs }, run);
}

/** The GPU/CPU worker process: the engine loaded once, Workers for the prepare and segment queues. */
export async function startRenderWorkers(config: FarmProcessConfig, options: { log?: (line: string) => void; engine?: Engine } = {}): Promise<RunningWorkers> {
  const log = options.log ?? ((): void => {});
  const engine =
    options.engine ??
    (await createEngine({ pack: config.packDir, ...(config.providers === null ? {} : { providers: config.providers as ExecutionProvider[] }), log }));
  const shared = await openShared(config, log, 'worker');
  const renderThreads = startRenderThreads(config.renderThreads);
  const clips = new ClipCache(shared.deps.storage, renderThreads);
  const deps: EngineDeps = { ...shared.deps, engine, packDir: config.packDir, clips };
  const workers = [
    sharedStepWorker<PrepareJob>(shared, config, QUEUE_NAMES.prepare, config.prepareConcurrency, async (data) =>
      forgetClipAfter(deps, data.jobId, 0, await processPrepare(deps, data.jobId)),
    ),
    sharedStepWorker<SegmentJob>(shared, config, QUEUE_NAMES.segment, config.segmentConcurrency, async (data) =>
      forgetClipAfter(deps, data.jobId, data.segmentIndex, await processSegment(deps, data.jobId, data.segmentIndex)),
    ),
  ];
  return {
    workers,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await clips.close();
      await renderThreads.close();
      await shared.closeShared();
      if (options.engine === undefined) await engine.close();
    },
  };
}

/** Drops the job's clip from this process's cache once segment `index` was its last or the job will not go on. */
async function forgetClipAfter(deps: EngineDeps, jobId: string, index: number, outcome: StepOutcome): Promise<StepOutcome> {
  const record = await deps.jobs.getById(jobId);
  if (outcome !== 'done' || index === (record?.plan?.segments.length ?? 0) - 1) await deps.clips.forget(jobId);
  return outcome;
}

/**
 * The stitcher process: Workers for the audio and stitch queues, webhook delivery (the job's view as its data) and the
 * delayed removal of succeeded jobs' live streams. With filesystem storage it needs the presign secret: job.succeeded
 * webhooks carry a presigned download URL.
 */
export async function startStitcherWorkers(config: FarmProcessConfig, options: { log?: (line: string) => void } = {}): Promise<RunningWorkers> {
  const log = options.log ?? ((): void => {});
  const shared = await openShared(config, log, 'stitcher');
  if (config.presignSecret === null && shared.deps.storage.driver === 'filesystem') {
    await shared.closeShared();
    throw new FarmError(
      'FARM_BAD_CONFIG',
      'PORTRAIT_FARM_PRESIGN_SECRET must be set with filesystem storage: the stitcher presigns the output URL that job.succeeded webhooks carry (the same secret as the gateway).',
    );
  }
  const stitch = sharedStepWorker<StitchJob>(shared, config, QUEUE_NAMES.stitch, config.stitchConcurrency, (data) =>
    processStitch(shared.deps, data.jobId, { liveGraceSeconds: config.liveGraceSeconds }),
  );
  const audio = sharedStepWorker<AudioJob>(shared, config, QUEUE_NAMES.audio, config.stitchConcurrency, (data) => processAudio(shared.deps, data.jobId));
  const webhooks = createWebhookWorker({
    connection: shared.connection('webhook-worker'),
    queues: shared.deps.queues,
    jobs: shared.deps.jobs,
    secretFor: (tenantId) => config.webhookSecrets[tenantId] ?? null,
    allowLoopback: config.webhookAllowLoopback,
    allowPrivate: config.webhookAllowPrivate,
    ...(config.webhookRetryMs === null ? {} : { retry: { scheduleMs: config.webhookRetryMs, jitter: 0 } }),
    eventData: (record) => jobView(record, { publicBaseUrl: config.publicBaseUrl, presignSeconds: config.presignSeconds, storage: shared.deps.storage }),
    log,
  });
  webhooks.on('error', (error) => log(`webhook worker: ${error.message}`));
  const cleanup = createLiveStreamCleanupWorker({ deps: shared.deps, connection: shared.connection('cleanup-worker'), prefix: config.prefix });
  const workers = [stitch, audio, webhooks as unknown as Worker, cleanup as unknown as Worker];
  return {
    workers,
    async close() {
      await Promise.all([stitch.close(), audio.close(), webhooks.close(), cleanup.close()]);
      await shared.closeShared();
    },
  };
}
