import { createJobId } from '@portrait-farm/jobs';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRedisServer, uniquePrefix } from '@portrait-farm/test-support/redis-server';
import type { RedisServerProcess } from '@portrait-farm/test-support/redis-server';
import { createRedisConnection } from './connection.ts';
import { isQueueError } from './errors.ts';
import { FarmQueues } from './farm-queues.ts';
import { readQueueDepths } from './queue-depth.ts';
import { QUEUE_NAMES } from './queue-names.ts';

let server: RedisServerProcess;
let redis: Redis;
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
  queues = new FarmQueues({ connection: redis, prefix: uniquePrefix() });
});

afterEach(async () => {
  await queues.close();
});

describe('FarmQueues', () => {
  it('gives each step a deterministic id, so enqueueing twice adds one job', async () => {
    const jobId = createJobId();
    expect(await queues.enqueuePrepare({ jobId, tenantId: 't' })).toBe(`${jobId}-prepare`);
    expect(await queues.enqueuePrepare({ jobId, tenantId: 't' })).toBe(`${jobId}-prepare`);
    const segment = { jobId, segmentIndex: 3, firstWindow: 6, windowCount: 2, frameStart: 150, frameEnd: 200 };
    expect(await queues.enqueueSegment(segment)).toBe(`${jobId}-seg-3`);
    await queues.enqueueSegment(segment);
    await queues.enqueueStitch({ jobId });
    await queues.enqueueStitch({ jobId });
    expect(await queues.enqueueAudio({ jobId })).toBe(`${jobId}-audio`);
    await queues.enqueueAudio({ jobId });
    const depths = (await readQueueDepths(queues)).queues;
    expect(depths.prepare.waiting).toBe(1);
    expect(depths.segment.waiting).toBe(1);
    expect(depths.audio.waiting).toBe(1);
    expect(depths.stitch.waiting).toBe(1);
    const stored = await queues.queue(QUEUE_NAMES.segment).getJob(`${jobId}-seg-3`);
    expect(stored?.data).toEqual(segment);
  });

  it('delays the removal of a succeeded job\'s live stream, once per job', async () => {
    const jobId = createJobId();
    expect(await queues.enqueueCleanup({ jobId }, { delayMs: 60_000 })).toBe(`${jobId}-cleanup`);
    expect(await queues.enqueueCleanup({ jobId }, { delayMs: 60_000 })).toBe(`${jobId}-cleanup`);
    const depths = (await readQueueDepths(queues)).queues;
    expect(depths.cleanup).toMatchObject({ waiting: 0, delayed: 1 });
    const stored = await queues.queue(QUEUE_NAMES.cleanup).getJob(`${jobId}-cleanup`);
    expect(stored?.data).toEqual({ jobId });
    expect(stored?.opts.delay).toBe(60_000);
    expect(stored?.opts.attempts).toBe(3);
  });

  it('discards the waiting steps of a canceled job', async () => {
    const jobId = createJobId();
    await queues.enqueuePrepare({ jobId, tenantId: 't' });
    for (let i = 0; i < 3; i += 1) {
      await queues.enqueueSegment({ jobId, segmentIndex: i, firstWindow: i, windowCount: 1, frameStart: i * 10, frameEnd: i * 10 + 10 });
    }
    await queues.enqueueAudio({ jobId });
    expect(await queues.discardSteps(jobId, 3)).toBe(5);
    const depths = (await readQueueDepths(queues)).queues;
    expect([depths.prepare.waiting, depths.segment.waiting, depths.audio.waiting]).toEqual([0, 0, 0]);
  });

  it('hands out higher API priorities first', async () => {
    const low = createJobId();
    const high = createJobId();
    await queues.enqueuePrepare({ jobId: low, tenantId: 't' }, { priority: 1 });
    await queues.enqueuePrepare({ jobId: high, tenantId: 't' }, { priority: 10 });
    const waiting = await queues.queue(QUEUE_NAMES.prepare).getPrioritized();
    const sorted = [...waiting].sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0));
    expect(sorted.map((job) => job.data.jobId)).toEqual([high, low]);
  });

  it('refuses malformed payloads and priorities with messages that name them', async () => {
    const jobId = createJobId();
    const bad = await queues
      .enqueueSegment({ jobId, segmentIndex: 0, firstWindow: 0, windowCount: 1, frameStart: 10, frameEnd: 10 })
      .catch((e: unknown) => e);
    expect(isQueueError(bad, 'QUEUE_BAD_PAYLOAD')).toBe(true);
    expect(String(bad)).toContain('frameEnd');
    const priority = await queues.enqueueStitch({ jobId }, { priority: 11 }).catch((e: unknown) => e);
    expect(String(priority)).toContain('priority must be an integer between 1 and 10. Received: 11');
    expect(() => new FarmQueues({ connection: redis, prefix: 'a:b' })).toThrow(/prefix/);
  });
});
