import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, uniquePrefix } from '@portrait-farm/test-support/redis-server';
import type { RedisServerProcess } from '@portrait-farm/test-support/redis-server';
import { watchCancellations } from './cancel-watcher.ts';
import { JobStore } from './job-store.ts';
import { testJob } from './testing/test-job.ts';

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

describe('watchCancellations', () => {
  it('aborts a watched job within moments of cancel, and starts aborted for an already canceled job', async () => {
    const store = new JobStore({ redis, prefix: uniquePrefix() });
    const watcher = await watchCancellations({ subscriber: new Redis(server.port, server.host), store, pollMs: 0 });
    const { record } = await store.create(testJob());
    const signal = await watcher.signalFor(record.id);
    expect(signal.aborted).toBe(false);
    const started = Date.now();
    const aborted = new Promise<number>((resolve) => signal.addEventListener('abort', () => resolve(Date.now() - started)));
    await store.cancel('tenant-a', record.id);
    expect(await aborted).toBeLessThan(1000);
    watcher.release(record.id);
    expect((await watcher.signalFor(record.id)).aborted).toBe(true);
    await watcher.close();
  });

  it('falls back to polling the flag', async () => {
    const store = new JobStore({ redis, prefix: uniquePrefix() });
    const watcher = await watchCancellations({ subscriber: new Redis(server.port, server.host), store, pollMs: 50 });
    const { record } = await store.create(testJob());
    const signal = await watcher.signalFor(record.id);
    await store.transition(record.id, 'canceled', { cancelRequested: '1' }); // no message published
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(signal.aborted).toBe(true);
    await watcher.close();
  });
});
