import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalFarm } from 'portrait-farm/local-farm';
import { uniquePrefix } from '@portrait-farm/test-support/redis-server';
import { startRedisCluster } from '@portrait-farm/test-support/redis-cluster';
import type { RedisClusterProcess } from '@portrait-farm/test-support/redis-cluster';
import { FIXTURES, loopedSpeech, submitJob, until } from './farm-harness.ts';
import { expectStoredOutput, farmWorkDir, readJob, startRedisFarm, stopRedisFarm } from './redis-farm.ts';
import type { FarmJob } from './redis-farm.ts';

// Issue 19, item 1 (cluster): the gateway, a worker and the stitcher on a Redis Cluster of 3 masters with a replica
// each; the master serving the farm's slot is SIGKILLed while a job renders. The replica takes over and the job must
// still end, succeeded or failed with a clear error, within a bounded time.
const work = farmWorkDir('cluster-failover');
const prefix = uniquePrefix('failover');
let cluster: RedisClusterProcess;
let farm: LocalFarm;
let storageUrl: string;

beforeAll(async () => {
  cluster = await startRedisCluster(3, { replicas: 1, nodeTimeoutMs: 1000 });
  const serving = await cluster.nodeServing(`{${prefix}}`);
  ({ farm, storageUrl } = await startRedisFarm(work, {
    redisUrl: `redis://${cluster.nodes.find((node) => node !== serving) ?? ''}`,
    prefix,
    env: { PORTRAIT_FARM_REDIS_CLUSTER_NODES: cluster.nodes.filter((node) => node !== serving).join(',') },
  }));
}, 180_000);

afterAll(() => stopRedisFarm(work, farm, () => cluster?.close()), 60_000);

describe('farm on Redis Cluster through a master failover', () => {
  it("a job whose slot's master is SIGKILLed mid-render still ends, after its replica takes over", async () => {
    const created = await submitJob(farm.apiUrl, farm.apiKey, { image: join(FIXTURES, 'astronaut.png'), audio: loopedSpeech(work, 4) });
    expect(created.status).toBe(202);
    const id = created.body.id;
    await until('the first segment is rendered', async () => {
      const done = ((await readJob(farm, id))?.['progress'] as { segmentsDone?: number } | undefined)?.segmentsDone ?? 0;
      return done >= 1;
    }, 120_000, 100);
    const progress = (await readJob(farm, id))?.['progress'] as { segmentsDone: number; segmentsTotal: number };
    expect(progress.segmentsDone).toBeLessThan(progress.segmentsTotal);

    const killedAt = Date.now();
    const killed = await cluster.killNodeServing(`{${prefix}}`);
    const promoted = await cluster.waitForFailover(`{${prefix}}`, killed);
    const failoverMs = Date.now() - killedAt;
    let job: FarmJob | null = null;
    await until('the job ends', async () => {
      job = await readJob(farm, id);
      return job !== null && ['succeeded', 'failed', 'canceled'].includes(job.status);
    }, 120_000, 250);
    const ended = job as unknown as FarmJob;
    process.stdout.write(`cluster failover: master ${killed} -> ${promoted} in ${failoverMs} ms; job ${ended.status} ${Date.now() - killedAt} ms after the kill\n`);
    if (ended.status === 'failed') {
      expect(ended['error']).toMatchObject({ code: expect.stringMatching(/^[A-Z_]+$/), message: expect.any(String) });
    } else {
      expect(ended.status).toBe('succeeded');
      await expectStoredOutput(storageUrl, ended, id);
    }
  }, 300_000);
});
