import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobStore, JobTimelines } from '@portrait-farm/jobs';
import type { StageEvent } from '@portrait-farm/jobs';
import { createRedisConnection } from '@portrait-farm/queue';
import { WorkerRegistry } from '@portrait-farm/ops';
import { writeEngineTestPack } from '@portrait-farm/test-support/engine-test-pack';
import { startRedisServer, uniquePrefix } from '@portrait-farm/test-support/redis-server';
import type { RedisServerProcess } from '@portrait-farm/test-support/redis-server';
import { startLocalFarm } from 'portrait-farm/local-farm';
import type { LocalFarm } from 'portrait-farm/local-farm';
import { FIXTURES, getJob, submitJob, until } from './farm-harness.ts';

// The operator API on a real farm (gateway, 2 workers, stitcher as processes, real Redis): a paused queue holds a
// job, the job's timeline names the worker of every segment, the overview lists the workers while they run.
const OPERATOR_KEY = 'operator-key-e2e-0123456789';
const work = mkdtempSync(join(tmpdir(), 'pf-e2e-ops-'));
const pack = join(work, 'pack');
let redis: RedisServerProcess;
let farm: LocalFarm;

interface Overview {
  queues: Array<{ name: string; waiting: number; paused: boolean }>;
  workers: Array<{ id: string; pid: number; provider: string; state: string; alive: boolean; framesPerSecond: number | null }>;
  stitchers: Array<{ id: string; role: string; pid: number; provider: string; state: string; alive: boolean }>;
  throughput: Array<{ minute: string; succeeded: number; failed: number; frames: number }>;
}

interface Timeline {
  id: string;
  status: string;
  events: Array<{ stage: string; index: number | null; worker: string | null; startedAt: string; endedAt: string | null; frames: number | null; status: string }>;
}

async function ops<T>(path: string, method = 'GET'): Promise<{ status: number; body: T }> {
  const response = await fetch(`${farm.apiUrl}${path}`, { method, headers: { authorization: `Bearer ${OPERATOR_KEY}` } });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? null : JSON.parse(text)) as T };
}

beforeAll(async () => {
  writeEngineTestPack(pack, { defaultSteps: 4 });
  mkdirSync(join(work, 'tmp'));
  redis = await startRedisServer();
  farm = await startLocalFarm({
    workers: 2,
    port: 0,
    redisUrl: redis.url,
    dataDir: join(work, 'farm'),
    storageUrl: join(work, 'storage'),
    packDir: pack,
    prefix: uniquePrefix('e2e'),
    env: { PORTRAIT_FARM_TEMP_DIR: join(work, 'tmp'), PORTRAIT_FARM_PROVIDERS: 'cpu', PORTRAIT_FARM_OPERATOR_KEY: OPERATOR_KEY },
    log: (line) => {
      if (process.env['PF_E2E_VERBOSE'] === '1') process.stdout.write(`${line}\n`);
    },
  });
}, 180_000);

afterAll(async () => {
  await farm?.stop();
  await redis?.close();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('operator API on a running farm', () => {
  it('holds a job while its queue is paused, then records its timeline (prepare, every segment with its worker, stitch) and throughput', async () => {
    expect((await ops('/v1/ops/queues/prepare/pause', 'POST')).status).toBe(204);
    const created = await submitJob(farm.apiUrl, farm.apiKey, { image: join(FIXTURES, 'astronaut.png'), audio: join(FIXTURES, 'speech-3s.wav') });
    expect(created.status).toBe(202);
    const id = created.body.id;
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect((await getJob(farm.apiUrl, farm.apiKey, id)).status).toBe('queued');
    const held = await ops<Overview>('/v1/ops/overview');
    expect(held.body.queues.find((q) => q.name === 'prepare')).toMatchObject({ waiting: 1, paused: true });

    // The timeline as it is the moment the job's change to succeeded is published: every stage already ended.
    const connection = createRedisConnection(redis.url);
    const subscriber = createRedisConnection(redis.url);
    const store = new JobStore({ redis: connection, prefix: farm.prefix });
    const timelines = new JobTimelines({ redis: connection, prefix: farm.prefix });
    let atSuccess: StageEvent[] | null = null;
    subscriber.on('message', (_channel: string, changed: string) => {
      if (changed !== id || atSuccess !== null) return;
      void Promise.all([store.getById(id), timelines.read(id)]).then(([record, events]) => {
        if (record?.status === 'succeeded' && atSuccess === null) atSuccess = events;
      });
    });
    await subscriber.subscribe(store.keys.changesChannel());
    expect((await ops('/v1/ops/queues/prepare/resume', 'POST')).status).toBe(204);
    await until('the job succeeded', async () => (await getJob(farm.apiUrl, farm.apiKey, id)).status === 'succeeded', 120_000, 500);
    await until('the change to succeeded was seen', async () => atSuccess !== null, 5000, 50);
    subscriber.disconnect();
    connection.disconnect();
    expect(atSuccess!.map((e) => [e.stage, e.status])).toContainEqual(['stitch', 'done']);
    expect(atSuccess!.filter((e) => e.status !== 'done' || e.endedAt === null)).toEqual([]);

    const job = await getJob(farm.apiUrl, farm.apiKey, id);
    const { segmentsTotal, framesTotal } = job['progress'] as { segmentsTotal: number; framesTotal: number };
    const timeline = await ops<Timeline>(`/v1/ops/jobs/${id}/timeline`);
    expect(timeline.status).toBe(200);
    expect(timeline.body.status).toBe('succeeded');
    const events = timeline.body.events;
    expect(events.map((e) => [e.stage, e.index])).toEqual([
      ['prepare', null],
      ...Array.from({ length: segmentsTotal }, (_, i) => ['segment', i]),
      ['stitch', null],
    ]);
    for (const event of events) {
      expect(event.status).toBe('done');
      expect(event.endedAt).not.toBeNull();
      expect(Date.parse(event.endedAt!)).toBeGreaterThanOrEqual(Date.parse(event.startedAt));
      expect(event.worker).toMatch(event.stage === 'stitch' ? /^stitcher-.+-\d+$/ : /^worker-.+-\d+$/);
    }
    const segments = events.filter((e) => e.stage === 'segment');
    expect(segments.reduce((sum, e) => sum + (e.frames ?? 0), 0)).toBe(framesTotal);
    // Each worker id names a process of this farm.
    const pids = new Set(farm.workers.map((w) => w.pid));
    for (const event of [...segments, events[0]!]) expect(pids.has(Number(event.worker!.slice(event.worker!.lastIndexOf('-') + 1)))).toBe(true);

    const overview = await ops<Overview>('/v1/ops/overview');
    const recent = overview.body.throughput.slice(-3);
    expect(recent.reduce((sum, row) => sum + row.succeeded, 0)).toBe(1);
    expect(recent.reduce((sum, row) => sum + row.frames, 0)).toBe(framesTotal);
    const listed = await ops<{ jobs: Array<{ id: string; status: string; progress: number }> }>('/v1/ops/jobs?status=succeeded');
    expect(listed.body.jobs).toEqual([expect.objectContaining({ id, status: 'succeeded', progress: 1 })]);
  }, 200_000);

  it('lists both workers alive with their provider and the frames/s of their last segment, and the stitcher; a worker that stops leaves the list', async () => {
    const overview = await ops<Overview>('/v1/ops/overview');
    expect(overview.body.workers.map((w) => w.pid).sort()).toEqual(farm.workers.map((w) => w.pid).sort());
    for (const worker of overview.body.workers) expect(worker).toMatchObject({ provider: 'cpu', state: 'idle', alive: true });
    expect(overview.body.workers.some((w) => (w.framesPerSecond ?? 0) > 0)).toBe(true);
    expect(overview.body.stitchers).toEqual([expect.objectContaining({ role: 'stitcher', pid: farm.stitcher.pid, provider: 'none', state: 'idle', alive: true })]);

    const stopped = farm.workers[1]!;
    const pid = stopped.pid;
    await stopped.stop();
    const after = await ops<Overview>('/v1/ops/overview');
    expect(after.body.workers.map((w) => w.pid)).not.toContain(pid);
    expect(after.body.workers).toHaveLength(1);

    // An open event stream ends when the gateway shuts down, which does not wait for it (no SIGKILL after the grace).
    const stream = await fetch(`${farm.apiUrl}/v1/ops/events`, { headers: { authorization: `Bearer ${OPERATOR_KEY}` } });
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = stream.body!.getReader();
    let text = '';
    const reading = (async () => {
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += Buffer.from(chunk.value).toString('utf8');
    })();
    await until('an overview event', async () => text.includes('event: overview\ndata: {"queues":'), 10_000);
    const stopping = Date.now();
    await farm.gateway.stop(20_000);
    await reading;
    expect(Date.now() - stopping).toBeLessThan(8000);

    await farm.stop();
    const connection = createRedisConnection(redis.url);
    try {
      expect(await new WorkerRegistry({ redis: connection, prefix: farm.prefix }).list()).toEqual([]); // the stitcher too
    } finally {
      connection.disconnect();
    }
  }, 60_000);
});
