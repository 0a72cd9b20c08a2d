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
import { FIXTURES, getJob, loopedSpeech, sha256, submitJob, until } from './farm-harness.ts';

// Issue 19, item 1 (cluster): the gateway, a worker and the stitcher on a Redis Cluster of 3 masters with a replica
// each; the master serving the farm's slot is SIGKILLed while a job renders. The replica takes over and the job must
// still end, succeeded or failed with a clear error, within a bounded time.
const work = mkdtempSync(join(tmpdir(), 'pf-e2e-cluster-failover-'));
const pack = join(work, 'pack');
const storageUrl = join(work, 'storage');
const prefix = uniquePrefix('failover');
let cluster: RedisClusterProcess;
let farm: LocalFarm;

beforeAll(async () => {
  writeEngineTestPack(pack, { defaultSteps: 4 });
  mkdirSync(join(work, 'tmp'));
  cluster = await startRedisCluster(3, { replicas: 1, nodeTimeoutMs: 1000 });
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
      PORTRAIT_FARM_REDIS_CLUSTER_NODES: cluster.nodes.filter((node) => node !== serving).join(','),
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

/** GET /v1/jobs/{id}, or null while the gateway answers an error (no master for the slot during the failover). */
async function readJob(id: string): Promise<(Record<string, unknown> & { status: string }) | null> {
  const job = await getJob(farm.apiUrl, farm.apiKey, id).catch(() => null);
  return job !== null && typeof job.status === 'string' ? job : null;
}

describe('farm on Redis Cluster through a master failover', () => {
  it("a job whose slot's master is SIGKILLed mid-render still ends, after its replica takes over", async () => {
    const created = await submitJob(farm.apiUrl, farm.apiKey, { image: join(FIXTURES, 'astronaut.png'), audio: loopedSpeech(work, 4) });
    expect(created.status).toBe(202);
    const id = created.body.id;
    await until('the first segment is rendered', async () => {
      const done = ((await readJob(id))?.['progress'] as { segmentsDone?: number } | undefined)?.segmentsDone ?? 0;
      return done >= 1;
    }, 120_000, 100);
    const progress = (await readJob(id))?.['progress'] as { segmentsDone: number; segmentsTotal: number };
    expect(progress.segmentsDone).toBeLessThan(progress.segmentsTotal);

    const killedAt = Date.now();
    const killed = await cluster.killNodeServing(`{${prefix}}`);
    const promoted = await cluster.waitForFailover(`{${prefix}}`, killed);
    const failoverMs = Date.now() - killedAt;
    let job: (Record<string, unknown> & { status: string }) | null = null;
    await until('the job ends', async () => {
      job = await readJob(id);
      return job !== null && ['succeeded', 'failed', 'canceled'].includes(job.status);
    }, 120_000, 250);
    const ended = job as unknown as Record<string, unknown> & { status: string };
    process.stdout.write(`cluster failover: master ${killed} -> ${promoted} in ${failoverMs} ms; job ${ended.status} ${Date.now() - killedAt} ms after the kill\n`);
    if (ended.status === 'failed') {
      expect(ended['error']).toMatchObject({ code: expect.stringMatching(/^[A-Z_]+$/), message: expect.any(String) });
    } else {
      expect(ended.status).toBe('succeeded');
      const storage = createStorage(storageUrl);
      try {
        const output = await storage.get(jobStorageKeys.output(id));
        expect(ended['output']).toMatchObject({ sha256: sha256(output), size: output.length });
      } finally {
        await storage.close();
      }
    }
  }, 300_000);
});
