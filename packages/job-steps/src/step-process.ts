import { JobStore, JobTimelines, watchCancellations } from '@portrait-farm/jobs';
import type { FarmLogger } from '@portrait-farm/logging';
import { recordStorageError } from '@portrait-farm/metrics';
import type { FarmMetrics } from '@portrait-farm/metrics';
import { createRedisClient, FarmQueues, redisConnectionFailure } from '@portrait-farm/queue';
import type { QueueName, SupervisedWorker } from '@portrait-farm/queue';
import { createStorage, observeStorageErrors } from '@portrait-farm/storage';
import type { Cluster, Redis } from 'ioredis';
import type { FarmProcessConfig } from './farm-config.ts';
import type { FarmDeps } from './farm-deps.ts';
import { createScratchDir } from './scratch-dir.ts';
import { timelineRecorder } from './stage-recorder.ts';
import type { StageNotice } from '@portrait-farm/jobs';
import type { StepOutcome } from './step-support.ts';
import { stepWorker } from './step-worker.ts';

/** Running step Workers of one process (apps/worker's startRenderWorkers, apps/stitcher's startStitcherWorkers). */
export interface RunningWorkers {
  workers: ReadonlyArray<Pick<SupervisedWorker, 'close'>>;
  /** Stops taking steps, lets running ones finish (or hands them back), closes connections and the engine. */
  close(): Promise<void>;
}

/** What a worker or stitcher process shares between its step Workers: one set of {@link FarmDeps}. */
export interface StepProcess {
  /** Storage, job store, queues, cancel watcher, this process's scratch folder and logger. */
  readonly deps: FarmDeps;
  /** A Redis connection of its own (`pf-{role}-{name}`), closed by {@link StepProcess.close}. */
  connection(name: string): Redis | Cluster;
  /** A step Worker on these dependencies, with a Redis connection of its own and the config's lock settings. */
  stepWorker<T extends { jobId: string }>(queue: QueueName, concurrency: number, run: (data: T) => Promise<StepOutcome>): SupervisedWorker<T, StepOutcome>;
  /** Closes the cancel watcher, queues, storage and connections, and removes the scratch folder (after the Workers). */
  close(): Promise<void>;
}

/** Options of {@link openStepProcess}. */
export interface StepProcessOptions {
  /** This process's id on the job timelines and in the worker registry (@portrait-farm/ops processPresence). */
  processId: string;
  /** Told of every stage this process's steps start and end (a worker's heartbeat activity). @defaultValue nothing */
  onStage?: (notice: StageNotice) => void;
  /** Where steps, segments, jobs that end and failed storage calls are counted. @defaultValue nothing counted */
  metrics?: FarmMetrics;
}

/**
 * Opens what the steps of one process work with: Redis connections named after `role`, the job store, the queues,
 * the cancel watcher, the storage of `config.storageUrl`, and a scratch folder of its own under `config.tempDir`
 * (the folders of farm processes that died are swept first).
 */
export async function openStepProcess(config: FarmProcessConfig, logger: FarmLogger, role: string, options: StepProcessOptions): Promise<StepProcess> {
  const connections: Array<Redis | Cluster> = [];
  const connection = (name: string): Redis | Cluster => {
    const redis = createRedisClient(config.redisUrl, {
      role: 'worker',
      connectionName: `pf-${role}-${name}`,
      tlsCaFile: config.redisCa,
      sentinel: config.redisSentinel,
      clusterNodes: config.redisClusterNodes,
    });
    redis.on('error', () => {});
    connections.push(redis);
    return redis;
  };
  const jobs = new JobStore({ redis: connection('jobs'), prefix: config.prefix });
  const queues = new FarmQueues({ connection: connection('queues'), prefix: config.prefix, onError: () => {} });
  // A connection ended by TLS (QUEUE_REDIS_TLS, naming the endpoint) fails the start with that, not "Connection is closed".
  const cancels = await watchCancellations({ subscriber: connection('cancel'), store: jobs }).catch((error: unknown) => {
    throw connections.map(redisConnectionFailure).find((failure) => failure !== null) ?? error;
  });
  const { metrics } = options;
  const backing = createStorage(config.storageUrl, {
    ...(config.presignSecret === null ? {} : { presignSecret: config.presignSecret }),
    presignBaseUrl: config.publicBaseUrl,
    ...(config.s3Ca === null ? {} : { s3TlsCaFile: config.s3Ca }),
  });
  const storage = metrics === undefined ? backing : observeStorageErrors(backing, (operation, code) => recordStorageError(metrics.storage, operation, code));
  const scratch = await createScratchDir(config.tempDir);
  if (scratch.swept.length > 0) logger.info({ swept: scratch.swept }, `removed the scratch folders of ${scratch.swept.length} farm process(es) that died`);
  const timelines = new JobTimelines({ redis: connection('timeline'), prefix: config.prefix });
  const stages = timelineRecorder(timelines, options.processId, options.onStage);
  const deps: FarmDeps = { storage, jobs, queues, cancels, tempDir: scratch.dir, logger, stages, ...(metrics === undefined ? {} : { metrics }) };
  const { prefix, lockMs, stalledIntervalMs } = config;
  return {
    deps,
    connection,
    stepWorker: (queue, concurrency, run) =>
      stepWorker(queue, { deps, connection: connection(`${queue}-worker`), prefix, concurrency, lockMs, stalledIntervalMs }, run),
    async close() {
      await cancels.close();
      await queues.close();
      await storage.close();
      for (const redis of connections) redis.disconnect();
      await scratch.remove();
    },
  };
}
