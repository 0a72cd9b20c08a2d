import type { JobIndex } from '@portrait-farm/jobs';
import type { FarmQueues } from '@portrait-farm/queue';
import { opsThroughputRow, opsWorker } from './ops-views.ts';
import type { OpsThroughputRow, OpsWorker } from './ops-views.ts';
import { readQueueStates } from './queue-states.ts';
import type { OpsQueue } from './queue-states.ts';
import type { WorkerRegistry } from './worker-registry.ts';

/** The farm at a glance: queues, workers and the last hour's throughput. */
export interface OpsOverview {
  queues: OpsQueue[];
  workers: OpsWorker[];
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
  const [queues, workers, throughput] = await Promise.all([readQueueStates(sources.queues), sources.registry.list(), sources.index.throughput(60)]);
  return { queues, workers: workers.map(opsWorker), throughput: throughput.map(opsThroughputRow) };
}
