import type { FarmQueues } from './farm-queues.ts';
import { ALL_QUEUES, QUEUE_NAMES } from './queue-names.ts';
import type { QueueName } from './queue-names.ts';

/** One queue's jobs by state, as read from Redis. */
export interface QueueCounts {
  /** Ready to run, not yet taken: prioritised and plain waiting jobs, and those held by a paused queue. */
  waiting: number;
  /** Of `waiting`, the jobs held in priority order (every farm step has a priority). */
  prioritized: number;
  /** Not due yet: scheduled, or backing off before a retry. */
  delayed: number;
  /** Taken by a worker and running. */
  active: number;
  /** Of `waiting`, the jobs a paused queue holds back. */
  paused: number;
  /** Failed for good (kept 7 days). */
  failed: number;
  /** Whether the queue is paused: its waiting jobs are not handed out. */
  isPaused: boolean;
  /** Work a pool would run now: `active`, plus `waiting` unless the queue is paused. */
  desired: number;
}

/** The work of one process pool, summed over the queues it consumes. */
export interface PoolDepth {
  waiting: number;
  active: number;
  delayed: number;
  /** Waiting (in unpaused queues) or running: the number a pool's autoscaler scales on. */
  total: number;
}

/**
 * What `GET /v1/queue/depth` answers and the local farm's autoscaler reads. `render.total` is the one number for
 * the worker pool (KEDA metrics-api `valueLocation: render.total`).
 */
export interface QueueDepthReport {
  queues: Record<QueueName, QueueCounts>;
  /** The worker pool's queues: prepare and segment. */
  render: PoolDepth;
  /** The stitcher's step queues: audio and stitch. */
  stitch: PoolDepth;
  /** Webhook deliveries (the stitcher sends them). */
  webhook: PoolDepth;
}

/** The queues each pool consumes (apps/worker: prepare, segment; apps/stitcher: audio, stitch, webhook, cleanup). */
export const POOL_QUEUES = Object.freeze({
  render: [QUEUE_NAMES.prepare, QUEUE_NAMES.segment],
  stitch: [QUEUE_NAMES.audio, QUEUE_NAMES.stitch],
  webhook: [QUEUE_NAMES.webhook],
} as const satisfies Record<string, readonly QueueName[]>);

/** One farm queue's jobs by state and whether it is paused (what the depth report and the ops overview show). */
export async function readQueueCounts(queues: FarmQueues, name: QueueName): Promise<QueueCounts> {
  const queue = queues.queue(name);
  // BullMQ 6 pauses a queue with a flag: its waiting jobs stay in the wait and prioritized lists.
  const [counts, isPaused] = await Promise.all([queue.getJobCounts('wait', 'prioritized', 'active', 'delayed', 'failed'), queue.isPaused()]);
  const count = (state: string): number => counts[state] ?? 0;
  const waiting = count('wait') + count('prioritized');
  return {
    waiting,
    prioritized: count('prioritized'),
    delayed: count('delayed'),
    active: count('active'),
    paused: isPaused ? waiting : 0,
    failed: count('failed'),
    isPaused,
    desired: count('active') + (isPaused ? 0 : waiting),
  };
}

/**
 * The jobs of a farm queue that a Worker could take now: waiting and prioritised, and one more when its earliest
 * delayed job is due (a Worker moves due jobs on when it fetches). 0 while the queue is paused.
 */
export async function readyJobCount(queues: FarmQueues, name: QueueName, now = Date.now()): Promise<number> {
  const [counts, [nextDelayed]] = await Promise.all([readQueueCounts(queues, name), queues.queue(name).getDelayed(0, 0)]);
  if (counts.isPaused) return 0;
  const delayedDue = nextDelayed !== undefined && nextDelayed.timestamp + nextDelayed.delay <= now ? 1 : 0;
  return counts.waiting + delayedDue;
}

function poolDepth(counts: readonly QueueCounts[]): PoolDepth {
  const sum = (pick: (c: QueueCounts) => number): number => counts.reduce((total, c) => total + pick(c), 0);
  return { waiting: sum((c) => c.waiting), active: sum((c) => c.active), delayed: sum((c) => c.delayed), total: sum((c) => c.desired) };
}

/** Reads every farm queue's counts and sums them per pool. */
export async function readQueueDepths(queues: FarmQueues): Promise<QueueDepthReport> {
  const read = await Promise.all(ALL_QUEUES.map(async (name) => [name, await readQueueCounts(queues, name)] as const));
  const byQueue = Object.fromEntries(read) as Record<QueueName, QueueCounts>;
  const pool = (names: readonly QueueName[]): PoolDepth => poolDepth(names.map((name) => byQueue[name]));
  return { queues: byQueue, render: pool(POOL_QUEUES.render), stitch: pool(POOL_QUEUES.stitch), webhook: pool(POOL_QUEUES.webhook) };
}
