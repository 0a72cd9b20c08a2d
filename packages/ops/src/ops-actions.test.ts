import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JobIndex, JobStore } from '@portrait-farm/jobs';
import { testJob } from '@portrait-farm/jobs/testing';
import { FarmQueues, QUEUE_NAMES } from '@portrait-farm/queue';
import { createStorage } from '@portrait-farm/storage';
import type { ObjectStorage } from '@portrait-farm/storage';
import { startRedisServer, uniquePrefix } from '@portrait-farm/test-support/redis-server';
import type { RedisServerProcess } from '@portrait-farm/test-support/redis-server';
import { isOpsError } from './errors.ts';
import { listOpsJobs } from './ops-jobs.ts';
import { readQueueStates, setQueuePaused } from './queue-states.ts';
import { retryJob } from './retry-job.ts';

let server: RedisServerProcess;
let redis: Redis;
let dir: string;
let jobs: JobStore;
let index: JobIndex;
let queues: FarmQueues;
let storage: ObjectStorage;

beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.port, server.host, { maxRetriesPerRequest: null });
  dir = await mkdtemp(join(tmpdir(), 'pf-ops-'));
});

afterAll(async () => {
  await queues.close();
  redis.disconnect();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  const prefix = uniquePrefix();
  await queues?.close();
  jobs = new JobStore({ redis, prefix });
  index = new JobIndex({ redis, prefix });
  queues = new FarmQueues({ connection: redis, prefix });
  storage = createStorage(join(dir, prefix));
});

/** A queued job with its inputs in storage; ids made in the same millisecond do not sort by creation, so one per ms. */
async function storedJob(tenantId = 'tenant-a'): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, 2));
  const job = testJob({ tenantId, options: { fps: 25, mode: 'crop', seed: 3 }, priority: 7, requestHash: 'h' });
  const { id } = job;
  await storage.put(job.inputs.image.key, Buffer.from('image bytes'), { contentType: 'image/png' });
  await storage.put(job.inputs.audio.key, Buffer.from('audio bytes'), { contentType: 'audio/wav' });
  await jobs.create({ ...job, idempotencyKey: `key-${id}` });
  return id;
}

describe('retryJob', () => {
  it('runs a failed job again as a new job linked to it, with copies of its inputs, its options and priority, prepare enqueued', async () => {
    const id = await storedJob();
    await jobs.fail(id, { code: 'FARM_X', message: 'boom' });
    const retried = await retryJob({ jobs, queues, storage }, id);
    expect(retried).toMatchObject({ status: 'queued', tenantId: 'tenant-a', retryOf: id, priority: 7, idempotencyKey: null, options: { seed: 3 } });
    expect(retried.id).not.toBe(id);
    expect(retried.inputs.image.key).toBe(`jobs/${retried.id}/input/image.png`);
    expect((await storage.get(retried.inputs.audio.key)).toString()).toBe('audio bytes');
    const prepare = await queues.queue(QUEUE_NAMES.prepare).getJob(`${retried.id}-prepare`);
    expect(prepare?.data).toEqual({ jobId: retried.id, tenantId: 'tenant-a' });
    // The failed run stays as it was.
    expect((await jobs.getById(id))?.status).toBe('failed');
    const page = await listOpsJobs(index, {});
    expect(page.jobs.map((row) => [row.id, row.status, row.retryOf])).toEqual([[retried.id, 'queued', id], [id, 'failed', null]]);
  });

  it('keeps a job made from an avatar linked to it (its prepare reads the avatar\'s prepared portrait)', async () => {
    const job = testJob({ tenantId: 'tenant-a', options: { fps: 25, mode: 'crop', seed: 3 }, requestHash: 'h' });
    const inputs = { ...job.inputs, avatar: { id: 'av_0000000000aaaaaaaaaaaaaaaa' } };
    await storage.put(inputs.image.key, Buffer.from('image bytes'), { contentType: 'image/png' });
    await storage.put(inputs.audio.key, Buffer.from('audio bytes'), { contentType: 'audio/wav' });
    await jobs.create({ ...job, inputs });
    await jobs.fail(job.id, { code: 'FARM_X', message: 'boom' });
    const retried = await retryJob({ jobs, queues, storage }, job.id);
    expect(retried.inputs.avatar).toEqual({ id: 'av_0000000000aaaaaaaaaaaaaaaa' });
    expect((await storage.get(retried.inputs.image.key)).toString()).toBe('image bytes');
  });

  it('refuses a running or succeeded job (409 OPS_JOB_NOT_RETRYABLE) and a job whose inputs are gone', async () => {
    const running = await storedJob();
    await jobs.transition(running, 'rendering');
    const refused = await retryJob({ jobs, queues, storage }, running).catch((e: unknown) => e);
    expect(isOpsError(refused, 'OPS_JOB_NOT_RETRYABLE')).toBe(true);
    expect(String(refused)).toContain('rendering');
    const canceled = await storedJob();
    await jobs.cancel('tenant-a', canceled);
    await storage.deletePrefix(`jobs/${canceled}/input/`);
    expect(isOpsError(await retryJob({ jobs, queues, storage }, canceled).catch((e: unknown) => e), 'OPS_INPUTS_MISSING')).toBe(true);
  });
});

describe('listOpsJobs', () => {
  it('pages every tenant\'s jobs with an opaque cursor and refuses a bad status or cursor, naming it', async () => {
    const ids = [await storedJob(), await storedJob('tenant-b'), await storedJob()];
    const first = await listOpsJobs(index, { status: 'queued', limit: 2 });
    expect(first.jobs.map((row) => row.id)).toEqual([ids[2], ids[1]]);
    expect(first.jobs[1]).toMatchObject({ tenant: 'tenant-b', progress: 0, error: null });
    expect(first.next).not.toContain('job_');
    expect((await listOpsJobs(index, { status: 'queued', limit: 2, cursor: first.next! })).jobs.map((row) => row.id)).toEqual([ids[0]]);
    expect(String(await listOpsJobs(index, { status: 'rendering' }).catch((e: unknown) => e))).toMatch(/status must be one of queued, running.*"rendering"/);
    expect(isOpsError(await listOpsJobs(index, { cursor: 'zzz' }).catch((e: unknown) => e), 'OPS_BAD_ARGUMENT')).toBe(true);
  });
});

describe('setQueuePaused', () => {
  it('pauses the BullMQ queue for every worker and resumes it; an unknown name is OPS_QUEUE_NOT_FOUND naming the queues', async () => {
    await setQueuePaused(queues, 'segment', true);
    expect(await queues.queue(QUEUE_NAMES.segment).isPaused()).toBe(true);
    expect((await readQueueStates(queues)).find((q) => q.name === 'segment')).toMatchObject({ paused: true });
    await setQueuePaused(queues, 'segment', false);
    expect(await queues.queue(QUEUE_NAMES.segment).isPaused()).toBe(false);
    const unknown = await setQueuePaused(queues, 'render', true).catch((e: unknown) => e);
    expect(isOpsError(unknown, 'OPS_QUEUE_NOT_FOUND')).toBe(true);
    expect(String(unknown)).toContain('"render"');
    expect(String(unknown)).toContain('prepare, segment');
  });
});
