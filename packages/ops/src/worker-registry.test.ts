import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, uniquePrefix } from '@portrait-farm/test-support/redis-server';
import type { RedisServerProcess } from '@portrait-farm/test-support/redis-server';
import { WorkerActivity } from './worker-activity.ts';
import { processIdOf, startWorkerHeartbeat } from './worker-heartbeat.ts';
import { WorkerRegistry } from './worker-registry.ts';

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

const identity = { id: processIdOf('worker', 'host-a', 41), role: 'worker' as const, host: 'host-a', pid: 41, provider: 'cpu' };
const idle = { state: 'idle' as const, stage: null, jobId: null, segment: null, framesPerSecond: null };

describe('WorkerRegistry', () => {
  it('lists a worker alive while it beats, not alive once its heartbeat is older than aliveSeconds, gone when it expires', async () => {
    let clock = 1_000_000;
    const registry = new WorkerRegistry({ redis, prefix: uniquePrefix(), aliveSeconds: 1, ttlSeconds: 2, now: () => clock });
    await registry.publish(identity, idle);
    expect(await registry.list()).toEqual([{ ...identity, ...idle, lastHeartbeatAt: new Date(1_000_000), alive: true }]);
    clock += 1500;
    expect((await registry.list()).map((w) => w.alive)).toEqual([false]);
    await new Promise((resolve) => setTimeout(resolve, 2200)); // the key's real TTL
    expect(await registry.list()).toEqual([]);
  });

  it('lists stitchers with their role, and a heartbeat written without a role (an older worker) as a worker\'s', async () => {
    const prefix = uniquePrefix();
    const registry = new WorkerRegistry({ redis, prefix });
    const stitcher = { id: processIdOf('stitcher', 'host-b', 7), role: 'stitcher' as const, host: 'host-b', pid: 7, provider: 'none' };
    await registry.publish(stitcher, { ...idle, state: 'stitching', stage: 'stitch', jobId: 'job_b' });
    const { role: _role, ...older } = identity;
    await redis.multi().set(`${prefix}:ops:worker:${identity.id}`, JSON.stringify({ ...older, ...idle, at: Date.now() })).sadd(`${prefix}:ops:workers`, identity.id).exec();
    expect((await registry.list()).map((p) => [p.id, p.role, p.state, p.jobId])).toEqual([
      [stitcher.id, 'stitcher', 'stitching', 'job_b'],
      [identity.id, 'worker', 'idle', null],
    ]);
  });

  it('refuses an expiry that is not longer than the alive window', () => {
    expect(() => new WorkerRegistry({ redis, aliveSeconds: 10, ttlSeconds: 10 })).toThrow(/ttlSeconds.*10, 10/);
  });
});

describe('startWorkerHeartbeat with WorkerActivity', () => {
  it('publishes the job being prepared, the segment being rendered and the last segment\'s frames/s, and leaves the registry on stop', async () => {
    const registry = new WorkerRegistry({ redis, prefix: uniquePrefix() });
    const activity = new WorkerActivity();
    const heartbeat = startWorkerHeartbeat({ registry, identity, activity: () => activity.snapshot(), intervalMs: 50 });
    await expect.poll(async () => (await registry.list()).map((w) => [w.id, w.state, w.alive])).toEqual([[identity.id, 'idle', true]]);

    activity.observe({ kind: 'started', jobId: 'job_a', stage: 'prepare', index: null, count: null, at: 0 });
    heartbeat.beat();
    await expect.poll(async () => (await registry.list())[0]).toMatchObject({ state: 'preparing', stage: 'prepare', jobId: 'job_a', segment: null });
    activity.observe({ kind: 'ended', jobId: 'job_a', stage: 'prepare', index: null, status: 'done', frames: null, at: 500 });
    activity.observe({ kind: 'started', jobId: 'job_a', stage: 'segment', index: 2, count: 4, at: 1000 });
    activity.observe({ kind: 'ended', jobId: 'job_a', stage: 'segment', index: 2, status: 'done', frames: 50, at: 3000 });
    activity.observe({ kind: 'started', jobId: 'job_a', stage: 'segment', index: 3, count: 4, at: 3000 });
    heartbeat.beat();
    await expect.poll(async () => (await registry.list())[0]).toMatchObject({
      state: 'rendering',
      stage: 'segment',
      jobId: 'job_a',
      segment: { jobId: 'job_a', index: 3, count: 4 },
      framesPerSecond: 25,
    });
    await heartbeat.stop();
    expect(await registry.list()).toEqual([]);
  });
});
