import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRedisServer, uniquePrefix } from '@portrait-farm/test-support/redis-server';
import type { RedisServerProcess } from '@portrait-farm/test-support/redis-server';
import { isJobsError } from './errors.ts';
import { createJobId } from './job-id.ts';
import { JOB_STATUSES } from './job-status.ts';
import type { JobStatus } from './job-status.ts';
import { JobStore } from './job-store.ts';
import { testJob } from './testing/test-job.ts';

let server: RedisServerProcess;
let redis: Redis;
let store: JobStore;

beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.port, server.host);
});

afterAll(async () => {
  redis.disconnect();
  await server.close();
});

beforeEach(() => {
  store = new JobStore({ redis, prefix: uniquePrefix() });
});

describe('JobStore.create', () => {
  it('creates a queued job with zeroed progress', async () => {
    const { record, created } = await store.create(testJob());
    expect(created).toBe(true);
    expect(record.status).toBe('queued');
    expect(record.progress).toEqual({ segmentsDone: 0, segmentsTotal: 0, framesDone: 0, framesTotal: 0 });
    expect(record.statusTimes.queued).toBeTypeOf('number');
  });

  it('returns the same job for the same Idempotency-Key and body, and refuses a different body', async () => {
    const first = await store.create(testJob({ idempotencyKey: 'k1', requestHash: 'h' }));
    const again = await store.create(testJob({ idempotencyKey: 'k1', requestHash: 'h' }));
    expect(again.created).toBe(false);
    expect(again.record.id).toBe(first.record.id);
    const conflict = await store.create(testJob({ idempotencyKey: 'k1', requestHash: 'other' })).catch((e: unknown) => e);
    expect(isJobsError(conflict, 'JOBS_IDEMPOTENCY_CONFLICT')).toBe(true);
    expect(String(conflict)).toContain(first.record.id);
    // Keys are per tenant: another tenant may use the same key for its own job.
    const other = await store.create(testJob({ tenantId: 'tenant-b', idempotencyKey: 'k1', requestHash: 'other' }));
    expect(other.created).toBe(true);
  });

  it('holds jobs beyond the per-tenant limit and releases one when a running job ends', async () => {
    const a = await store.create(testJob(), { maxActiveJobs: 2 });
    const b = await store.create(testJob(), { maxActiveJobs: 2 });
    expect([a.held, b.held]).toEqual([false, false]);
    const c = await store.create(testJob(), { maxActiveJobs: 2 });
    expect(c).toMatchObject({ created: true, held: true });
    expect(c.record.status).toBe('queued');
    expect(await store.queuePosition(c.record)).toBe(1);
    expect(await store.queuePosition(a.record)).toBeNull();
    // Another tenant has its own limit.
    expect((await store.create(testJob({ tenantId: 'tenant-b' }), { maxActiveJobs: 2 })).held).toBe(false);
    const ended = await store.fail(a.record.id, { code: 'X', message: 'boom' });
    expect(ended.released).toBe(1);
    expect(await store.activeCount('tenant-a')).toBe(2);
    expect(await store.queuePosition(c.record)).toBeNull();
    expect(await store.claimReleased(10, 60_000)).toEqual([c.record.id]);
  });
});

describe('JobStore reads', () => {
  it('hides other tenants jobs behind not found', async () => {
    const { record } = await store.create(testJob());
    await expect(store.get('tenant-b', record.id)).rejects.toMatchObject({ code: 'JOBS_NOT_FOUND', status: 404 });
    await expect(store.get('tenant-a', 'not-an-id')).rejects.toMatchObject({ code: 'JOBS_NOT_FOUND' });
    expect((await store.list('tenant-b')).jobs).toEqual([]);
  });

  it('lists newest first with a cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const id = createJobId(1_700_000_000_000 + i);
      ids.push(id);
      await store.create(testJob({ id }));
    }
    const first = await store.list('tenant-a', { limit: 2 });
    expect(first.jobs.map((j) => j.id)).toEqual([ids[4], ids[3]]);
    const second = await store.list('tenant-a', { limit: 2, cursor: first.nextCursor });
    expect(second.jobs.map((j) => j.id)).toEqual([ids[2], ids[1]]);
    const third = await store.list('tenant-a', { limit: 2, cursor: second.nextCursor });
    expect(third.jobs.map((j) => j.id)).toEqual([ids[0]]);
    expect(third.nextCursor).toBeNull();
  });
});

describe('JobStore transitions', () => {
  it('never moves a job backwards under concurrent updates', async () => {
    const { record } = await store.create(testJob());
    const order: JobStatus[] = ['preparing', 'rendering', 'stitching', 'succeeded'];
    // 40 racing updates, in shuffled order, from two connections.
    const other = new Redis(server.port, server.host);
    const store2 = new JobStore({ redis: other, prefix: store.prefix });
    const updates = Array.from({ length: 40 }, (_, i) => order[i % order.length]!).sort(() => Math.random() - 0.5);
    const seen: JobStatus[] = [];
    await Promise.all(
      updates.map(async (to, i) => {
        const target = i % 2 === 0 ? store : store2;
        const result = to === 'succeeded'
          ? await target.succeed(record.id, { key: 'k', size: 1, durationSeconds: 1, sha256: 's' })
          : await target.transition(record.id, to);
        if (result.applied) seen.push(result.status);
      }),
    );
    other.disconnect();
    const rank = (s: JobStatus) => JOB_STATUSES.indexOf(s);
    for (let i = 1; i < seen.length; i += 1) expect(rank(seen[i]!)).toBeGreaterThan(rank(seen[i - 1]!));
    const final = await store.get('tenant-a', record.id);
    // Whatever interleaving happened, a terminal status stays; forward moves only.
    expect(['rendering', 'stitching', 'succeeded', 'preparing']).toContain(final.status);
    const late = await store.transition(record.id, 'preparing');
    if (final.status !== 'preparing') expect(late).toMatchObject({ applied: false, status: final.status });
  });

  it('keeps terminal statuses final and records timings', async () => {
    const { record } = await store.create(testJob());
    await store.transition(record.id, 'preparing');
    await store.transition(record.id, 'rendering');
    await store.fail(record.id, { code: 'ENGINE_FACE_NOT_FOUND', message: 'No face found in the portrait.' });
    expect(await store.transition(record.id, 'stitching')).toEqual({ applied: false, previous: 'failed', status: 'failed', released: 0 });
    const failed = await store.get('tenant-a', record.id);
    expect(failed.error).toEqual({ code: 'ENGINE_FACE_NOT_FOUND', message: 'No face found in the portrait.' });
    expect(failed.timings.preparing).toBeGreaterThanOrEqual(0);
    expect(failed.timings.total).toBeGreaterThanOrEqual(0);
    expect(failed.timings.stitching).toBeNull();
  });

  it('cancels idempotently, sets the flag, and refuses to cancel a finished job', async () => {
    const { record } = await store.create(testJob());
    const subscriber = new Redis(server.port, server.host);
    const published = new Promise<string>((resolve) => subscriber.on('message', (_channel: string, message: string) => resolve(message)));
    await subscriber.subscribe(store.keys.cancelChannel());
    expect(await store.isCancelRequested(record.id)).toBe(false);
    const first = await store.cancel('tenant-a', record.id);
    expect(first).toMatchObject({ changed: true, record: { status: 'canceled', cancelRequested: true } });
    expect(await published).toBe(record.id);
    subscriber.disconnect();
    expect((await store.cancel('tenant-a', record.id)).changed).toBe(false);
    expect(await store.isCancelRequested(record.id)).toBe(true);
    await expect(store.cancel('tenant-b', record.id)).rejects.toMatchObject({ code: 'JOBS_NOT_FOUND' });

    const done = (await store.create(testJob())).record;
    await store.transition(done.id, 'stitching');
    await store.succeed(done.id, { key: 'k', size: 1, durationSeconds: 1, sha256: 's' });
    await expect(store.cancel('tenant-a', done.id)).rejects.toMatchObject({ code: 'JOBS_ALREADY_FINISHED', status: 409 });
  });
});

describe('JobStore progress', () => {
  it('counts frames and segments once even when segments are retried', async () => {
    const { record } = await store.create(testJob());
    await store.setPlan(record.id, {
      fps: 25,
      frameCount: 100,
      durationSeconds: 4,
      segments: [
        { index: 0, firstWindow: 0, windowCount: 2, frameStart: 0, frameEnd: 50 },
        { index: 1, firstWindow: 2, windowCount: 2, frameStart: 50, frameEnd: 100 },
      ],
    });
    await Promise.all([store.reportSegment(record.id, 0, 20, false), store.reportSegment(record.id, 1, 10, false)]);
    await store.reportSegment(record.id, 0, 50, true);
    await store.reportSegment(record.id, 0, 50, true); // a retried worker reports again
    await store.reportSegment(record.id, 1, 5, false); // a restarted attempt starts lower
    await store.addWorkSeconds(record.id, 'render', 1.5);
    await store.addWorkSeconds(record.id, 'render', 0.5);
    const after = await store.get('tenant-a', record.id);
    expect(after.progress).toEqual({ segmentsDone: 1, segmentsTotal: 2, framesDone: 60, framesTotal: 100 });
    expect(after.timings.work).toEqual({ render: 2 });
    await expect(store.reportSegment(createJobId(), 0, 1, false)).rejects.toMatchObject({ code: 'JOBS_NOT_FOUND' });
  });

  it('counts requests in a fixed window per tenant', async () => {
    const decisions = [];
    for (let i = 0; i < 4; i += 1) decisions.push(await store.consumeRate('tenant-a', 'create', 3, 60));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(decisions[3]!.resetSeconds).toBeGreaterThan(0);
    expect((await store.consumeRate('tenant-b', 'create', 3, 60)).allowed).toBe(true);
  });
});
