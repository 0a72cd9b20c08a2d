import { JobStore } from '@portrait-farm/jobs';
import { testJob } from '@portrait-farm/jobs/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, uniquePrefix } from '@portrait-farm/test-support/redis-server';
import type { RedisServerProcess } from '@portrait-farm/test-support/redis-server';
import { createRedisConnection } from './connection.ts';
import { FarmQueues } from './farm-queues.ts';
import { dispatchReleasedJobs, startHeldJobDispatcher } from './held-job-dispatcher.ts';
import { QUEUE_NAMES } from './queue-names.ts';

let server: RedisServerProcess;
let redis: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  redis = createRedisConnection(server.url);
});

afterAll(async () => {
  redis.disconnect();
  await server.close();
});

function farm() {
  const prefix = uniquePrefix('dispatch');
  return { jobs: new JobStore({ redis, prefix }), queues: new FarmQueues({ connection: redis, prefix }) };
}

async function queuedPrepares(queues: FarmQueues): Promise<Array<{ jobId: string; priority: number }>> {
  const waiting = await queues.queue(QUEUE_NAMES.prepare).getJobs(['waiting', 'prioritized']);
  return waiting.map((job) => ({ jobId: job.data.jobId as string, priority: job.opts.priority ?? 0 }));
}

describe('held job dispatch', () => {
  it('queues a released job’s prepare step at its priority once, and nothing for one canceled before dispatch', async () => {
    const { jobs, queues } = farm();
    try {
      const running = await jobs.create(testJob(), { maxActiveJobs: 1 });
      const held = await jobs.create(testJob({ priority: 8 }), { maxActiveJobs: 1 });
      const canceledLater = await jobs.create(testJob(), { maxActiveJobs: 1 });
      await jobs.fail(running.record.id, { code: 'X', message: 'done' });
      // Two dispatchers racing: the release is claimed by one of them.
      const handled = await Promise.all([dispatchReleasedJobs(jobs, queues, 60_000), dispatchReleasedJobs(jobs, queues, 60_000)]);
      expect(handled[0]! + handled[1]!).toBe(1);
      expect(await queuedPrepares(queues)).toEqual([{ jobId: held.record.id, priority: 3 }]);

      await jobs.fail(held.record.id, { code: 'X', message: 'done' });
      await jobs.cancel('tenant-a', canceledLater.record.id); // released, then canceled before any dispatcher ran
      expect(await dispatchReleasedJobs(jobs, queues, 60_000)).toBe(0);
      expect((await queuedPrepares(queues)).map((x) => x.jobId)).toEqual([held.record.id]);
    } finally {
      await queues.close();
    }
  });

  it('a release left leased by a dispatcher that died is taken by another after the lease', async () => {
    const { jobs, queues } = farm();
    try {
      const running = await jobs.create(testJob(), { maxActiveJobs: 1 });
      const held = await jobs.create(testJob(), { maxActiveJobs: 1 });
      await jobs.fail(running.record.id, { code: 'X', message: 'done' });
      expect(await jobs.claimReleased(10, 200)).toEqual([held.record.id]); // claimed, never queued
      expect(await dispatchReleasedJobs(jobs, queues, 200)).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(await dispatchReleasedJobs(jobs, queues, 200)).toBe(1);
      expect((await queuedPrepares(queues)).map((x) => x.jobId)).toEqual([held.record.id]);
    } finally {
      await queues.close();
    }
  });

  it('the running dispatcher wakes on the release announcement', async () => {
    const { jobs, queues } = farm();
    const dispatcher = startHeldJobDispatcher({ jobs, queues, subscriber: () => createRedisConnection(server.url), pollIntervalMs: 60_000 });
    try {
      const running = await jobs.create(testJob(), { maxActiveJobs: 1 });
      const held = await jobs.create(testJob(), { maxActiveJobs: 1 });
      await new Promise((resolve) => setTimeout(resolve, 200)); // subscribed
      const endedAt = Date.now();
      await jobs.fail(running.record.id, { code: 'X', message: 'done' });
      await expect.poll(async () => (await queuedPrepares(queues)).map((x) => x.jobId), { timeout: 5000, interval: 20 }).toEqual([held.record.id]);
      expect(Date.now() - endedAt).toBeLessThan(2000);
    } finally {
      await dispatcher.stop();
      await queues.close();
    }
  });
});
