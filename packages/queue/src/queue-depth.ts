import type { FarmQueues, QueueDepth } from './farm-queues.ts';
import type { QueueName } from './queue-names.ts';

/**
 * What a KEDA metrics-api trigger reads: per queue, `desired` = jobs waiting (prioritised included, delayed
 * not) plus jobs running, i.e. the workers that would be busy if there were enough of them.
 */
export interface QueueDepthReport {
  queues: Record<QueueName, QueueDepth & { desired: number }>;
  /** Sum of `desired` over the GPU queues (prepare and segment). */
  gpuDesired: number;
}

export async function readQueueDepths(queues: FarmQueues): Promise<QueueDepthReport> {
  const depths = await queues.depths();
  const report = {} as Record<QueueName, QueueDepth & { desired: number }>;
  for (const [name, depth] of Object.entries(depths) as Array<[QueueName, QueueDepth]>) {
    report[name] = { ...depth, desired: depth.waiting + depth.active };
  }
  return { queues: report, gpuDesired: report.prepare.desired + report.segment.desired };
}
