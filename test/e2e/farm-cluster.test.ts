import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalFarm } from 'portrait-farm/local-farm';
import { uniquePrefix } from '@portrait-farm/test-support/redis-server';
import { startRedisCluster } from '@portrait-farm/test-support/redis-cluster';
import type { RedisClusterProcess } from '@portrait-farm/test-support/redis-cluster';
import { FIXTURES, getJob, submitJob, until } from './farm-harness.ts';
import { expectStoredOutput, farmWorkDir, startRedisFarm, stopRedisFarm } from './redis-farm.ts';

// Issue 19, item 1 (cluster): the gateway, a worker and the stitcher as real processes on a 3-master Redis Cluster
// (PORTRAIT_FARM_REDIS_CLUSTER_NODES): every key under the prefix's hash tag, one job rendered end to end.
const work = farmWorkDir('cluster');
const prefix = uniquePrefix('cluster');
let cluster: RedisClusterProcess;
let farm: LocalFarm;
let storageUrl: string;

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  // The URL names a node that does not serve the tag's slot: a plain connection to it would be answered MOVED.
  const serving = await cluster.nodeServing(`{${prefix}}`);
  ({ farm, storageUrl } = await startRedisFarm(work, {
    redisUrl: `redis://${cluster.nodes.find((node) => node !== serving) ?? ''}`,
    prefix,
    env: { PORTRAIT_FARM_REDIS_CLUSTER_NODES: cluster.nodes.join(',') },
  }));
}, 180_000);

afterAll(() => stopRedisFarm(work, farm, () => cluster?.close()), 60_000);

describe('farm on Redis Cluster', () => {
  it('renders a job end to end with every key in the slot of the prefix\'s hash tag', async () => {
    const ready = await fetch(`${farm.apiUrl}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { redis: 'ok', storage: 'ok' } });
    const created = await submitJob(farm.apiUrl, farm.apiKey, { image: join(FIXTURES, 'astronaut.png'), audio: join(FIXTURES, 'speech-3s.wav') });
    expect(created.status).toBe(202);
    const id = created.body.id;
    let job = await getJob(farm.apiUrl, farm.apiKey, id);
    await until('the job ends', async () => {
      job = await getJob(farm.apiUrl, farm.apiKey, id);
      return ['succeeded', 'failed', 'canceled'].includes(job.status);
    }, 150_000, 500);
    expect(job).toMatchObject({ status: 'succeeded' });
    await expectStoredOutput(storageUrl, job, id);
    // The farm's keys are in the slot of its prefix's tag, on the node that serves it.
    expect(await cluster.keysInSlotOf(`{${prefix}}`)).toBeGreaterThan(10);
  }, 180_000);
});
