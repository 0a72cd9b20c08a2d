import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRedisServer, uniquePrefix } from '@portrait-farm/test-support/redis-server';
import type { RedisServerProcess } from '@portrait-farm/test-support/redis-server';
import { isJobsError } from './errors.ts';
import type { NewJob } from './job-record.ts';
import { JobStore } from './job-store.ts';
import { testJob } from './testing/test-job.ts';

// Issue 19, item 3: a tenant's jobs beyond its concurrency are held in Redis and released as its running jobs end.
let server: RedisServerProcess;
let redis: Redis;
let store: JobStore;

const LIMIT = 2;

beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.port, server.host);
});

afterAll(async () => {
  redis.disconnect();
  await server.close();
});

beforeEach(() => {
  store = new JobStore({ redis, prefix: uniquePrefix('hold') });
});

async function submit(overrides: Partial<NewJob> = {}, maxHeldJobs: number | null = null) {
  return store.create(testJob(overrides), { maxActiveJobs: LIMIT, maxHeldJobs });
}

async function releasedIds(into: JobStore = store): Promise<string[]> {
  const ids = await into.claimReleased(100, 60_000);
  for (const id of ids) await into.releaseQueued(id);
  return ids;
}

describe('holding a tenant’s jobs beyond its concurrency', () => {
  it('releases held jobs first in, first out, higher priority first, one per job that ends', async () => {
    const running = [await submit(), await submit()];
    const low1 = await submit({ priority: 3 });
    const low2 = await submit({ priority: 3 });
    const urgent = await submit({ priority: 9 });
    const normal = await submit();
    expect([low1, low2, urgent, normal].map((x) => x.held)).toEqual([true, true, true, true]);
    const positions = await Promise.all([urgent, normal, low1, low2].map((x) => store.queuePosition(x.record)));
    expect(positions).toEqual([1, 2, 3, 4]);

    const order: string[] = [];
    for (const ending of [running[0]!, running[1]!, urgent, normal]) {
      await store.fail(ending.record.id, { code: 'X', message: 'done' });
      order.push(...(await releasedIds()));
      expect(await store.activeCount('tenant-a')).toBeLessThanOrEqual(LIMIT);
    }
    expect(order).toEqual([urgent, normal, low1, low2].map((x) => x.record.id));
    expect(await store.heldCount('tenant-a')).toBe(0);
  });

  it('refuses a job past the cap on held jobs with JOBS_QUEUE_FULL, per tenant', async () => {
    await submit({}, 2);
    await submit({}, 2);
    await submit({}, 2);
    await submit({}, 2);
    const refused = await submit({}, 2).catch((error: unknown) => error);
    expect(isJobsError(refused, 'JOBS_QUEUE_FULL')).toBe(true);
    expect(String(refused)).toContain('already has 2 jobs queued');
    expect(await store.heldCount('tenant-a')).toBe(2);
    expect((await submit({ tenantId: 'tenant-b' }, 2)).held).toBe(false);
  });

  it('a canceled or deleted held job leaves the hold without releasing anything', async () => {
    await submit();
    await submit();
    const first = await submit();
    const second = await submit();
    const third = await submit();
    const canceled = await store.cancel('tenant-a', second.record.id);
    expect(canceled.record.status).toBe('canceled');
    expect(await store.queuePosition(second.record)).toBeNull();
    expect(await store.queuePosition(third.record)).toBe(2);
    await store.deleteRecord(first.record);
    expect(await store.queuePosition(third.record)).toBe(1);
    expect(await store.activeCount('tenant-a')).toBe(LIMIT);
    expect(await releasedIds()).toEqual([]);
  });

  it('releases the next held job when a running job fails, is canceled or is deleted', async () => {
    const running = [await submit(), await submit()];
    const held = [await submit(), await submit(), await submit()];
    await store.fail(running[0]!.record.id, { code: 'X', message: 'boom' });
    expect(await releasedIds()).toEqual([held[0]!.record.id]);
    await store.cancel('tenant-a', running[1]!.record.id);
    expect(await releasedIds()).toEqual([held[1]!.record.id]);
    await store.deleteRecord(held[0]!.record);
    expect(await releasedIds()).toEqual([held[2]!.record.id]);
    expect(await store.activeCount('tenant-a')).toBe(LIMIT);
  });

  it('a new job does not overtake held ones when a place is free before their release is seen', async () => {
    await submit();
    await submit();
    const held = await submit();
    // The limit goes up (a new gateway configuration): the next create releases the held job first and takes the
    // other new place itself.
    const next = await store.create(testJob(), { maxActiveJobs: LIMIT + 2 });
    expect(next.held).toBe(false);
    expect(await releasedIds()).toEqual([held.record.id]);
    expect(await store.activeCount('tenant-a')).toBe(LIMIT + 2);
  });

  it('with two stores racing, every held job is released once and no more than the limit run at once', async () => {
    const otherConnection = new Redis(server.port, server.host);
    const other = new JobStore({ redis: otherConnection, prefix: store.prefix });
    try {
      const jobs = [];
      for (let i = 0; i < 20; i += 1) jobs.push(await submit());
      const running = new Set(jobs.slice(0, LIMIT).map((x) => x.record.id));
      const released: string[] = [];
      const stores = [store, other];
      let turn = 0;
      while (running.size > 0) {
        const ending = [...running];
        running.clear();
        await Promise.all(ending.map((id, i) => stores[(turn + i) % 2]!.fail(id, { code: 'X', message: 'done' })));
        const claimed = await Promise.all(stores.map((each) => releasedIds(each)));
        for (const id of claimed.flat()) {
          released.push(id);
          running.add(id);
        }
        expect(await store.activeCount('tenant-a')).toBe(running.size);
        expect(running.size).toBeLessThanOrEqual(LIMIT);
        turn += 1;
      }
      expect(released.sort()).toEqual(jobs.slice(LIMIT).map((x) => x.record.id).sort());
      expect(await store.heldCount('tenant-a')).toBe(0);
    } finally {
      otherConnection.disconnect();
    }
  });
});
