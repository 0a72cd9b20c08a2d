import type { JobIndex } from '@portrait-farm/jobs';
import type { FarmQueues } from '@portrait-farm/queue';
import { opsThroughputRow, opsWorker } from './ops-views.ts';
import type { OpsThroughputRow, OpsWorker } from './ops-views.ts';
import { readQueueStates } from './queue-states.ts';
import type { OpsQueue } from './queue-states.ts';
import type { WorkerRegistry } from './worker-registry.ts';

/** The farm at a glance: queues, workers, stitchers and the last hour's throughput. */
export interface OpsOverview {
  queues: OpsQueue[];
  /** The worker processes (prepare, segments). */
  workers: OpsWorker[];
  /** The stitcher processes (audio, stitch, webhooks). */
  stitchers: OpsWorker[];
  /** One row per minute of the last 60, oldest first. */
  throughput: OpsThroughputRow[];
}

/** Where the overview is read from. */
export interface OpsSources {
  queues: FarmQueues;
  registry: WorkerRegistry;
  index: JobIndex;
}

export async function readOpsOverview(sources: OpsSources): Promise<OpsOverview> {
  const [queues, processes, throughput] = await Promise.all([readQueueStates(sources.queues), sources.registry.list(), sources.index.throughput(60)]);
  const withRole = (role: OpsWorker['role']): OpsWorker[] => processes.filter((p) => p.role === role).map(opsWorker);
  return { queues, workers: withRole('worker'), stitchers: withRole('stitcher'), throughput: throughput.map(opsThroughputRow) };
}
