import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobIndex, JobStore } from '@portrait-farm/jobs';
import { testJob } from '@portrait-farm/jobs/testing';
import { FarmQueues } from '@portrait-farm/queue';
import { startRedisServer, uniquePrefix } from '@portrait-farm/test-support/redis-server';
import type { RedisServerProcess } from '@portrait-farm/test-support/redis-server';
import { OpsFeed } from './ops-feed.ts';
import type { OpsFeedEvent } from './ops-feed.ts';
import { readOpsOverview } from './ops-overview.ts';
import { opsJobRow } from './ops-views.ts';
import { WorkerRegistry } from './worker-registry.ts';

let server: RedisServerProcess;
let redis: Redis;
const subscribers: Redis[] = [];

beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.port, server.host, { maxRetriesPerRequest: null });
});

afterAll(async () => {
  redis.disconnect();
  await server.close();
});

describe('OpsFeed', () => {
  it('sends a new listener the overview at once and every interval, a job\'s row when it is created and on each status or progress change, its id when it is deleted', async () => {
    const prefix = uniquePrefix();
    const jobs = new JobStore({ redis, prefix });
    const index = new JobIndex({ redis, prefix });
    const queues = new FarmQueues({ connection: redis, prefix });
    const registry = new WorkerRegistry({ redis, prefix });
    const feed = new OpsFeed({
      subscriber: () => {
        const subscriber = new Redis(server.port, server.host);
        subscribers.push(subscriber);
        return subscriber;
      },
      channel: jobs.keys.changesChannel(),
      overview: () => readOpsOverview({ queues, registry, index }),
      jobRow: async (id) => {
        const record = await jobs.getById(id);
        return record === null ? null : opsJobRow(record);
      },
      overviewIntervalMs: 200,
    });
    const events: OpsFeedEvent[] = [];
    const stop = feed.subscribe((event) => events.push(event));
    await expect.poll(() => events.filter((e) => e.type === 'overview').length).toBeGreaterThanOrEqual(2);
    const overview = events.find((e) => e.type === 'overview')!.data as Awaited<ReturnType<typeof readOpsOverview>>;
    expect(overview.queues.map((q) => q.name)).toEqual(['prepare', 'segment', 'audio', 'stitch', 'webhook', 'cleanup']);
    expect(overview.throughput).toHaveLength(60);

    await expect.poll(() => subscribers[0]?.status).toBe('ready');
    await new Promise((resolve) => setTimeout(resolve, 100)); // SUBSCRIBE answered
    const { record } = await jobs.create(testJob());
    await jobs.transition(record.id, 'rendering');
    await jobs.setPlan(record.id, { fps: 25, frameCount: 100, durationSeconds: 4, segments: [] });
    await jobs.reportSegment(record.id, 0, 25, true);
    await expect.poll(() => events.filter((e) => e.type === 'job').map((e) => [e.data.status, (e.data as { progress: number }).progress])).toEqual([
      ['queued', 0],
      ['rendering', 0],
      ['rendering', 0.25],
    ]);

    // Every change of the jobs list reaches the feed: a job created, canceled, deleted.
    events.length = 0;
    const created = (await jobs.create(testJob())).record;
    await jobs.cancel(created.tenantId, created.id);
    await jobs.deleteRecord(created);
    await expect.poll(() => events.filter((e) => e.type !== 'overview').map((e) => [e.type, e.data.id, 'status' in e.data ? e.data.status : null])).toEqual([
      ['job', created.id, 'queued'],
      ['job', created.id, 'canceled'],
      ['job-deleted', created.id, null],
    ]);
    stop();
    expect(feed.listenerCount).toBe(0);
    const count = events.length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(events.length).toBe(count);
    await feed.close();
    await queues.close();
    expect(() => feed.subscribe(() => {})).toThrow(/closed/);
  });
});
