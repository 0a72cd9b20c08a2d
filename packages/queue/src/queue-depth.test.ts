import { createJobId } from '@portrait-farm/jobs';
import { startRedisServer, uniquePrefix } from '@portrait-farm/test-support/redis-server';
import type { RedisServerProcess } from '@portrait-farm/test-support/redis-server';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRedisConnection } from './connection.ts';
import { FarmQueues } from './farm-queues.ts';
import { readQueueDepths } from './queue-depth.ts';
import { bullPrefix, QUEUE_NAMES } from './queue-names.ts';

let server: RedisServerProcess;
let redis: Redis;
let prefix: string;
let queues: FarmQueues;

beforeAll(async () => {
  server = await startRedisServer();
  redis = createRedisConnection(server.url);
});

afterAll(async () => {
  redis.disconnect();
  await server.close();
});

beforeEach(() => {
  prefix = uniquePrefix();
  queues = new FarmQueues({ connection: redis, prefix });
});

afterEach(async () => {
  await queues.close();
});

const segment = (segmentIndex: number): { jobId: string; segmentIndex: number; firstWindow: number; windowCount: number; frameStart: number; frameEnd: number } => ({
  jobId: createJobId(),
  segmentIndex,
  firstWindow: segmentIndex,
  windowCount: 1,
  frameStart: segmentIndex * 10,
  frameEnd: segmentIndex * 10 + 10,
});

/** Takes the next segment job the way a worker does (it becomes active), without running anything. */
async function takeSegment(): Promise<void> {
  const connection = createRedisConnection(server.url, { role: 'worker' });
  const worker = new Worker(QUEUE_NAMES.segment, null, { connection, prefix: bullPrefix(prefix), autorun: false });
  try {
    expect(await worker.getNextJob('test-token')).toBeDefined();
  } finally {
    await worker.close();
    connection.disconnect();
  }
}

describe('readQueueDepths', () => {
  it('counts prioritised, delayed and active jobs in their fields, and sums the worker pool into render.total', async () => {
    await queues.enqueuePrepare({ jobId: createJobId(), tenantId: 't' }, { priority: 10 });
    await queues.enqueueSegment(segment(0), { priority: 1 });
    await queues.enqueueSegment(segment(1), { priority: 7 });
    await queues.enqueueSegment(segment(2), { delayMs: 60_000 });
    await queues.enqueueStitch({ jobId: createJobId() }, { delayMs: 60_000 });
    await takeSegment();

    const report = await readQueueDepths(queues);
    expect(report.queues.prepare).toEqual({ waiting: 1, prioritized: 1, delayed: 0, active: 0, paused: 0, failed: 0, isPaused: false, desired: 1 });
    expect(report.queues.segment).toEqual({ waiting: 1, prioritized: 1, delayed: 1, active: 1, paused: 0, failed: 0, isPaused: false, desired: 2 });
    expect(report.queues.stitch).toMatchObject({ waiting: 0, delayed: 1, desired: 0 });
    // Delayed work is not render work yet: it does not call for a worker.
    expect(report.render).toEqual({ waiting: 2, active: 1, delayed: 1, total: 3 });
    expect(report.stitch).toEqual({ waiting: 0, active: 0, delayed: 1, total: 0 });
    expect(report.webhook).toEqual({ waiting: 0, active: 0, delayed: 0, total: 0 });
  });

  it('counts the waiting jobs of a paused queue as paused, not as work to scale for', async () => {
    await queues.enqueueSegment(segment(0));
    await queues.enqueueSegment(segment(1));
    await queues.queue(QUEUE_NAMES.segment).pause();
    const report = await readQueueDepths(queues);
    expect(report.queues.segment).toMatchObject({ waiting: 2, paused: 2, isPaused: true, desired: 0 });
    expect(report.render.total).toBe(0);
    await queues.queue(QUEUE_NAMES.segment).resume();
    expect((await readQueueDepths(queues)).render.total).toBe(2);
  });
});
