import { JobStore } from '@portrait-farm/jobs';
import { startRedisServer, uniquePrefix } from '@portrait-farm/test-support/redis-server';
import type { RedisServerProcess } from '@portrait-farm/test-support/redis-server';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestRateCounter } from './request-rate.ts';

let server: RedisServerProcess;
let redis: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.port, server.host);
});

afterAll(async () => {
  redis.disconnect();
  await server.close();
});

const NOW = 1_800_000_000_000;

async function sharedCount(store: JobStore, tenant: string): Promise<number> {
  return (await store.consumeRate(tenant, 'requests', Number.MAX_SAFE_INTEGER, 60, 0, store.rateWindowOf(60))).count;
}

async function allowedOf(counter: RequestRateCounter, tenant: string, limit: number, requests: number, pauseEvery = 0): Promise<number> {
  let allowed = 0;
  for (let i = 0; i < requests; i++) {
    if ((await counter.take(tenant, limit)).allowed) allowed++;
    if (pauseEvery > 0 && i % pauseEvery === pauseEvery - 1) await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return allowed;
}

describe('RequestRateCounter', () => {
  it('allows exactly the limit through one gateway and counts every allowed request in Redis', async () => {
    const store = new JobStore({ redis, prefix: uniquePrefix(), now: () => NOW });
    const counter = new RequestRateCounter(store, { now: () => NOW });
    expect(await allowedOf(counter, 'tenant-a', 500, 620)).toBe(500);
    await counter.close();
    expect(await sharedCount(store, 'tenant-a')).toBeGreaterThanOrEqual(500);
  });

  it('sends far fewer writes than requests far from the limit, and sends them within the flush delay', async () => {
    const store = new JobStore({ redis, prefix: uniquePrefix(), now: () => NOW });
    let writes = 0;
    const counting = { consumeRate: (...args: Parameters<JobStore['consumeRate']>) => (writes++, store.consumeRate(...args)) };
    const counter = new RequestRateCounter(counting, { now: () => NOW, flushMs: 20 });
    expect(await allowedOf(counter, 'tenant-b', 100_000, 3000)).toBe(3000);
    expect(writes).toBeLessThanOrEqual(5);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await sharedCount(store, 'tenant-b')).toBe(3000);
    await counter.close();
  });

  it('keeps several gateways close to the limit: each misses only the others\' last flush interval', async () => {
    const prefix = uniquePrefix();
    const gateways = [0, 1, 2].map(() => new RequestRateCounter(new JobStore({ redis, prefix, now: () => NOW }), { now: () => NOW, flushMs: 5 }));
    const limit = 1000;
    // Three gateways at about 2,500 requests/s each: 5 requests, then 2 ms, as the event loop spaces real requests.
    const allowed = await Promise.all(gateways.map((g) => allowedOf(g, 'tenant-c', limit, 600, 5)));
    const total = allowed.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(limit);
    expect(total).toBeLessThanOrEqual(limit * 1.05);
    await Promise.all(gateways.map((g) => g.close()));
  });

  it('starts a new window when the minute turns', async () => {
    let now = NOW;
    const store = new JobStore({ redis, prefix: uniquePrefix(), now: () => now });
    const counter = new RequestRateCounter(store, { now: () => now });
    expect(await allowedOf(counter, 'tenant-d', 10, 12)).toBe(10);
    now += 60_000;
    expect((await counter.take('tenant-d', 10)).allowed).toBe(true);
    await counter.close();
  });
});
