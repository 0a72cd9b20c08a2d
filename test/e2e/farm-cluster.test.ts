import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalFarm } from 'portrait-farm/local-farm';
import type { LocalFarm } from 'portrait-farm/local-farm';
import { jobStorageKeys } from '@portrait-farm/jobs';
import { createStorage } from '@portrait-farm/storage';
import { writeEngineTestPack } from '@portrait-farm/test-support/engine-test-pack';
import { uniquePrefix } from '@portrait-farm/test-support/redis-server';
import { startRedisCluster } from '@portrait-farm/test-support/redis-cluster';
import type { RedisClusterProcess } from '@portrait-farm/test-support/redis-cluster';
import { FIXTURES, getJob, sha256, submitJob, until } from './farm-harness.ts';

// Issue 19, item 1 (cluster): the gateway, a worker and the stitcher as real processes on a 3-master Redis Cluster
// (PORTRAIT_FARM_REDIS_CLUSTER_NODES): every key under the prefix's hash tag, one job rendered end to end.
const work = mkdtempSync(join(tmpdir(), 'pf-e2e-cluster-'));
const pack = join(work, 'pack');
const storageUrl = join(work, 'storage');
const prefix = uniquePrefix('cluster');
let cluster: RedisClusterProcess;
let farm: LocalFarm;

beforeAll(async () => {
  writeEngineTestPack(pack, { defaultSteps: 4 });
  mkdirSync(join(work, 'tmp'));
  cluster = await startRedisCluster(3);
  // The URL names a node that does not serve the tag's slot: a plain connection to it would be answered MOVED.
  const serving = await cluster.nodeServing(`{${prefix}}`);
  farm = await startLocalFarm({
    workers: 1,
    port: 0,
    redisUrl: `redis://${cluster.nodes.find((node) => node !== serving) ?? ''}`,
    storageUrl,
    dataDir: join(work, 'farm'),
    packDir: pack,
    prefix,
    env: {
      PORTRAIT_FARM_REDIS_CLUSTER_NODES: cluster.nodes.join(','),
      PORTRAIT_FARM_TEMP_DIR: join(work, 'tmp'),
      PORTRAIT_FARM_PROVIDERS: 'cpu',
    },
    log: (line) => {
      if (process.env['PF_E2E_VERBOSE'] === '1') process.stdout.write(`${line}\n`);
    },
  });
}, 180_000);

afterAll(async () => {
  await farm?.stop();
  await cluster?.close();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

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
    const storage = createStorage(storageUrl);
    try {
      const output = await storage.get(jobStorageKeys.output(id));
      expect(job['output']).toMatchObject({ sha256: sha256(output), size: output.length });
    } finally {
      await storage.close();
    }
    // The farm's keys are in the slot of its prefix's tag, on the node that serves it.
    expect(await cluster.keysInSlotOf(`{${prefix}}`)).toBeGreaterThan(10);
  }, 180_000);
});
