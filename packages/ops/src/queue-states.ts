import { ALL_QUEUES, readQueueCounts } from '@portrait-farm/queue';
import type { FarmQueues, QueueName } from '@portrait-farm/queue';
import { OpsError } from './errors.ts';

/** One farm queue as the overview shows it. */
export interface OpsQueue {
  name: QueueName;
  /** Ready to run, not yet taken (prioritised included; held back while the queue is paused). */
  waiting: number;
  /** Of `waiting`, the jobs held in priority order. */
  prioritized: number;
  delayed: number;
  active: number;
  failed: number;
  paused: boolean;
}

/** Every farm queue's jobs by state and whether it is paused, in pipeline order. */
export async function readQueueStates(queues: FarmQueues): Promise<OpsQueue[]> {
  return Promise.all(
    ALL_QUEUES.map(async (name) => {
      const { waiting, prioritized, delayed, active, failed, isPaused } = await readQueueCounts(queues, name);
      return { name, waiting, prioritized, delayed, active, failed, paused: isPaused };
    }),
  );
}

function queueNamed(name: string): QueueName {
  const known = ALL_QUEUES.find((queue) => queue === name);
  if (known === undefined) throw new OpsError('OPS_QUEUE_NOT_FOUND', `No farm queue is named ${JSON.stringify(name)}. The queues: ${ALL_QUEUES.join(', ')}.`);
  return known;
}

/**
 * Pauses or resumes a farm queue for every worker (BullMQ's global pause): a paused queue hands out no job, running
 * ones finish. Throws OPS_QUEUE_NOT_FOUND for an unknown name.
 */
export async function setQueuePaused(queues: FarmQueues, name: string, paused: boolean): Promise<void> {
  const queue = queues.queue(queueNamed(name));
  if (paused) await queue.pause();
  else await queue.resume();
}
