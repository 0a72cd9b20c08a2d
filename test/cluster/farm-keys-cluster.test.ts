import { Queue, Worker } from 'bullmq';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobIndex, jobKeys, JobStore } from '@portrait-farm/jobs';
import { testJob } from '@portrait-farm/jobs/testing';
import { ALL_QUEUES, bullPrefix } from '@portrait-farm/queue';
import { startRedisCluster } from '@portrait-farm/test-support/redis-cluster';
import type { RedisClusterProcess } from '@portrait-farm/test-support/redis-cluster';

// Issue 19, item 1 (cluster), the key audit: with the deployment prefix in a hash tag ({pf}), every key the job store
// and the BullMQ queues build for a job hashes to one slot, and the job store's Lua scripts, pipelines and MULTIs and
// a BullMQ queue run on a real 3-master Redis Cluster without CROSSSLOT; the scans of job records find them on the node
// that serves the tag's slot. test/e2e/farm-cluster.test.ts renders a job on a cluster with the farm's processes.
const TAGGED = '{pf}';
let cluster: RedisClusterProcess;
let client: Cluster;

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  client = new Cluster(
    cluster.nodes.map((node) => ({ host: '127.0.0.1', port: Number(node.split(':')[1]) })),
    { redisOptions: { maxRetriesPerRequest: null } },
  );
  client.on('error', () => {});
}, 90_000);

afterAll(async () => {
  client?.disconnect();
  await cluster?.close();
});

describe('farm keys on Redis Cluster, prefix in a hash tag', () => {
  it('every key of a job, its tenant and the queues hashes to the slot of the tag', async () => {
    const keys = jobKeys(TAGGED);
    const id = 'job_01JAAAAAAAAAAAAAAAAAAAAAAA';
    const tenant = 'tenant-a';
    const names = [
      keys.job(id), keys.segmentFrames(id), keys.segmentsDone(id), keys.webhookAttempts(id), keys.timeline(id),
      keys.tenantJobs(tenant), keys.tenantActive(tenant), keys.tenantHeld(tenant), keys.tenantHoldSequence(tenant), keys.tenantConcurrency(tenant),
      keys.idempotency(tenant, 'key'), keys.noIdempotencyKey(), keys.rateWindow(tenant, 'requests', 1), keys.releasing(), keys.releaseChannel(),
      keys.disabledEndpoints(), keys.finishedJobs(), keys.cancelChannel(), keys.allJobs(), keys.statusIndex('running'), keys.throughput(1), keys.changesChannel(),
      `${TAGGED}:ops:workers`, `${TAGGED}:ops:worker:worker-1`,
    ];
    for (const name of ALL_QUEUES) {
      const queue = new Queue(name, { connection: client, prefix: bullPrefix(TAGGED) });
      names.push(...Object.values(queue.keys).filter((key) => key !== ''));
      await queue.close();
    }
    const slot = await cluster.keySlot('pf');
    const slots = new Map<string, number>();
    for (const name of names) slots.set(name, await cluster.keySlot(name));
    expect([...slots].filter(([, s]) => s !== slot)).toEqual([]);
    expect(names.length).toBeGreaterThan(60);
  });

  it("the job store's scripts run on the cluster: create (with and without an Idempotency-Key, held), transitions, segments, cancel, delete, rates", async () => {
    const store = new JobStore({ redis: client, prefix: TAGGED });
    const plain = await store.create(testJob());
    expect(plain.created).toBe(true);
    const keyed = await store.create(testJob({ idempotencyKey: 'k1', requestHash: 'h' }));
    expect((await store.create(testJob({ idempotencyKey: 'k1', requestHash: 'h' }))).record.id).toBe(keyed.record.id);
    const first = await store.create(testJob({ tenantId: 'tenant-b' }), { maxActiveJobs: 1 });
    const held = await store.create(testJob({ tenantId: 'tenant-b' }), { maxActiveJobs: 1 });
    expect([first.held, held.held]).toEqual([false, true]);
    const id = plain.record.id;
    await store.transition(id, 'preparing');
    await store.transition(id, 'rendering');
    expect(await store.reportSegment(id, 0, 10, true)).toMatchObject({ segmentsDone: 1 });
    expect(await store.reportSegment(id, 0, 10, true)).toMatchObject({ segmentsDone: 1 });
    expect((await store.cancel(plain.record.tenantId, id)).changed).toBe(true);
    expect((await store.getById(id))?.status).toBe('canceled');
    expect((await store.list(plain.record.tenantId)).jobs.length).toBeGreaterThanOrEqual(2);
    expect((await store.consumeRate('tenant-a', 'requests', 2, 60)).allowed).toBe(true);
    await store.deleteRecord(plain.record);
    await store.deleteRecord(keyed.record);
    expect(await store.getById(id)).toBeNull();
  });

  it('the scans of job records (finished set, status indexes) find them on the node serving the slot', async () => {
    const prefix = '{scan}';
    const store = new JobStore({ redis: client, prefix });
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const { record } = await store.create(testJob());
      await store.cancel(record.tenantId, record.id);
      ids.push(record.id);
    }
    await client.del(jobKeys(prefix).finishedJobs(), jobKeys(prefix).allJobs(), `${jobKeys(prefix).allJobs()}:complete`);
    expect(await store.indexFinishedJobs()).toBe(3);
    expect(await new JobIndex({ redis: client, prefix }).indexExistingJobs()).toBe(3);
  });

  it('a BullMQ queue with the tagged prefix adds and processes a job on the cluster', async () => {
    const prefix = bullPrefix(TAGGED);
    const queue = new Queue('segment', { connection: client, prefix });
    const workerConnection = client.duplicate();
    workerConnection.on('error', () => {});
    const worker = new Worker('segment', async (job) => `done ${String(job.data.n)}`, { connection: workerConnection, prefix });
    try {
      const finished = new Promise<string>((resolve, reject) => {
        worker.on('completed', (_job, result: string) => resolve(result));
        worker.on('failed', (_job, error) => reject(error));
      });
      await queue.add('segment', { n: 7 }, { jobId: 'job-1-seg-0' });
      expect(await finished).toBe('done 7');
    } finally {
      await worker.close();
      await queue.close();
      workerConnection.disconnect();
    }
  });
});
