import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRedisServer, uniquePrefix } from '@portrait-farm/test-support/redis-server';
import type { RedisServerProcess } from '@portrait-farm/test-support/redis-server';
import { isJobsError } from './errors.ts';
import { JobIndex } from './job-index.ts';
import { JobStore } from './job-store.ts';
import { JobTimelines } from './job-timeline.ts';
import { testJob } from './testing/test-job.ts';

let server: RedisServerProcess;
let redis: Redis;
let store: JobStore;
let index: JobIndex;
let timelines: JobTimelines;
let prefix: string;
let clock = Date.UTC(2026, 0, 1, 12, 0, 30);
const now = (): number => clock;

beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.port, server.host);
});

afterAll(async () => {
  redis.disconnect();
  await server.close();
});

beforeEach(() => {
  prefix = uniquePrefix();
  store = new JobStore({ redis, prefix, now });
  index = new JobIndex({ redis, prefix, now });
  timelines = new JobTimelines({ redis, prefix, now });
});

/** A job moved to `status`; ids made in the same millisecond do not sort by creation, so one per ms. */
async function jobIn(status: 'queued' | 'rendering' | 'succeeded' | 'failed' | 'canceled', tenantId = 'tenant-a'): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, 2));
  const { record } = await store.create(testJob({ tenantId }));
  if (status === 'rendering') await store.transition(record.id, 'rendering');
  if (status === 'succeeded') {
    await store.transition(record.id, 'stitching');
    await store.succeed(record.id, { key: 'k', size: 1, durationSeconds: 1, sha256: 'x' });
  }
  if (status === 'failed') await store.fail(record.id, { code: 'X', message: 'boom' });
  if (status === 'canceled') await store.cancel(tenantId, record.id);
  return record.id;
}

describe('JobIndex.listByStatus', () => {
  it('lists every tenant\'s jobs by status group, newest first, in pages, and follows each transition', async () => {
    const queued = [await jobIn('queued'), await jobIn('queued', 'tenant-b'), await jobIn('queued')];
    const running = await jobIn('rendering', 'tenant-b');
    const failed = await jobIn('failed');
    const first = await index.listByStatus({ status: 'queued', limit: 2 });
    expect(first.jobs.map((j) => j.id)).toEqual([queued[2], queued[1]]);
    const second = await index.listByStatus({ status: 'queued', limit: 2, cursor: first.nextCursor });
    expect(second.jobs.map((j) => j.id)).toEqual([queued[0]]);
    expect(second.nextCursor).toBeNull();
    expect((await index.listByStatus({ status: 'running' })).jobs.map((j) => [j.id, j.status])).toEqual([[running, 'rendering']]);
    expect((await index.listByStatus({ status: 'failed' })).jobs.map((j) => j.id)).toEqual([failed]);
    expect((await index.listByStatus()).jobs.map((j) => j.id)).toEqual([failed, running, ...[...queued].reverse()]);

    await store.transition(queued[0]!, 'preparing');
    expect((await index.listByStatus({ status: 'queued' })).jobs.map((j) => j.id)).toEqual([queued[2], queued[1]]);
    expect((await index.listByStatus({ status: 'running' })).jobs.map((j) => j.id)).toEqual([running, queued[0]]);
    await store.cancel('tenant-a', queued[0]!);
    expect((await index.listByStatus({ status: 'running' })).jobs.map((j) => j.id)).toEqual([running]);
    expect((await index.listByStatus({ status: 'canceled' })).jobs.map((j) => j.id)).toEqual([queued[0]]);
  });

  it('indexes jobs made before the indexes existed, once, in their status group', async () => {
    const old = await jobIn('failed');
    const running = await jobIn('rendering');
    await redis.del(store.keys.allJobs(), store.keys.statusIndex('failed'), store.keys.statusIndex('running'));
    expect((await index.listByStatus()).jobs).toEqual([]);
    expect(await index.indexExistingJobs()).toBe(2);
    await redis.zrem(store.keys.allJobs(), old);
    expect(await index.indexExistingJobs()).toBe(0); // the scan ran to the end once: not again
    await redis.zadd(store.keys.allJobs(), 0, old);
    expect((await index.listByStatus()).jobs.map((j) => j.id)).toEqual([running, old]);
    expect((await index.listByStatus({ status: 'failed' })).jobs.map((j) => j.id)).toEqual([old]);
    expect((await index.listByStatus({ status: 'running' })).jobs.map((j) => j.id)).toEqual([running]);
  });

  it('refuses a limit out of 1..200 and a cursor that is not a job id, naming the value', async () => {
    for (const limit of [0, 201, 1.5]) {
      const error = await index.listByStatus({ limit }).catch((e: unknown) => e);
      expect(isJobsError(error, 'JOBS_BAD_ARGUMENT')).toBe(true);
      expect(String(error)).toContain(String(limit));
    }
    expect(String(await index.listByStatus({ cursor: 'nope' }).catch((e: unknown) => e))).toContain('"nope"');
  });

  it('forgets a deleted job in every index, with its timeline', async () => {
    const id = await jobIn('failed');
    await timelines.started(id, 'prepare', null, 'worker-a');
    const record = (await store.getById(id))!;
    await store.deleteRecord(record);
    expect((await index.listByStatus()).jobs).toEqual([]);
    expect((await index.listByStatus({ status: 'failed' })).jobs).toEqual([]);
    // The lists above skip ids whose record is gone: the indexes themselves must have dropped the id.
    expect(await redis.zscore(store.keys.allJobs(), id)).toBeNull();
    expect(await redis.zscore(store.keys.statusIndex('failed'), id)).toBeNull();
    expect(await redis.exists(store.keys.timeline(id))).toBe(0);
    // A step ending after the delete writes nothing back.
    await timelines.ended(id, 'prepare', null, { status: 'done' });
    expect(await redis.exists(store.keys.timeline(id))).toBe(0);
  });
});

describe('JobIndex.throughput', () => {
  it('counts jobs succeeded and failed and frames rendered per minute, each once, for the last 60 minutes oldest first', async () => {
    const a = await jobIn('queued');
    await store.setPlan(a, { fps: 25, frameCount: 50, durationSeconds: 2, segments: [] });
    await store.reportSegment(a, 0, 20, false);
    await store.reportSegment(a, 0, 25, true);
    await store.reportSegment(a, 0, 25, true); // a retried segment adds nothing
    clock += 60_000;
    await store.reportSegment(a, 1, 25, true);
    await store.transition(a, 'stitching');
    await store.succeed(a, { key: 'k', size: 1, durationSeconds: 2, sha256: 'x' });
    await jobIn('failed');
    await jobIn('canceled');
    const rows = await index.throughput();
    expect(rows).toHaveLength(60);
    expect(rows[59]).toEqual({ minute: new Date(Date.UTC(2026, 0, 1, 12, 1)), succeeded: 1, failed: 1, frames: 25 });
    expect(rows[58]).toEqual({ minute: new Date(Date.UTC(2026, 0, 1, 12, 0)), succeeded: 0, failed: 0, frames: 25 });
    expect(rows[0]!.minute).toEqual(new Date(Date.UTC(2026, 0, 1, 11, 2)));
    expect(rows.slice(0, 58).every((row) => row.succeeded + row.failed + row.frames === 0)).toBe(true);
    // Bounded: each minute's counts expire.
    expect(await redis.ttl(`${prefix}:jobs:throughput:${Math.floor(clock / 60_000)}`)).toBeGreaterThan(3600);
  });
});

describe('JobTimelines', () => {
  it('records each stage\'s worker, start, end and frames, a retried stage replacing its earlier run, in pipeline order', async () => {
    const id = await jobIn('queued');
    await timelines.started(id, 'stitch', null, 'stitcher-1');
    await timelines.started(id, 'segment', 1, 'worker-b');
    clock += 1000;
    await timelines.started(id, 'prepare', null, 'worker-a');
    await timelines.ended(id, 'prepare', null, { status: 'done' });
    await timelines.started(id, 'segment', 0, 'worker-a');
    await timelines.ended(id, 'segment', 0, { status: 'failed', error: 'FARM_X' });
    await timelines.started(id, 'segment', 0, 'worker-b'); // the retry
    await timelines.ended(id, 'segment', 0, { status: 'done', frames: 25 });
    const events = await timelines.read(id);
    expect(events.map((e) => [e.stage, e.index, e.worker, e.status, e.frames])).toEqual([
      ['prepare', null, 'worker-a', 'done', null],
      ['segment', 0, 'worker-b', 'done', 25],
      ['segment', 1, 'worker-b', 'running', null],
      ['stitch', null, 'stitcher-1', 'running', null],
    ]);
    expect(events[1]!.endedAt).toEqual(new Date(clock));
    expect(events[2]!.endedAt).toBeNull();
    expect(await timelines.read('job_unknown')).toEqual([]);
    await expect(timelines.started(id, 'segment', null, 'w')).rejects.toThrow(/index/);
  });
});
