import type { AddressInfo } from 'node:net';
import { JobTimelines } from '@portrait-farm/jobs';
import { createProcessLogger } from '@portrait-farm/logging';
import { WorkerRegistry } from '@portrait-farm/ops';
import { QUEUE_NAMES } from '@portrait-farm/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from './build-gateway.ts';
import { auth, GatewayHarness, jobForm } from './testing/gateway-harness.ts';

const OPERATOR_KEY = 'operator-key-for-tests-0123';
const operator = (): Record<string, string> => auth(OPERATOR_KEY);

let harness: GatewayHarness;

beforeAll(async () => {
  harness = await GatewayHarness.start();
});

afterAll(async () => {
  await harness.close();
});

async function createJob(gateway: Gateway, key?: string): Promise<string> {
  const form = await jobForm();
  const created = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(key, form.headers), payload: form.payload });
  expect(created.statusCode).toBe(202);
  await new Promise((resolve) => setTimeout(resolve, 2)); // ids of one millisecond do not sort by creation
  return created.json<{ id: string }>().id;
}

const operatorGateway = (): Promise<Gateway> => harness.gateway({ operatorKey: OPERATOR_KEY, faceCheck: false });

describe('operator routes (/v1/ops)', () => {
  it('need the operator key: none 401, a tenant key 403, no operator key configured 404', async () => {
    const gateway = await operatorGateway();
    expect((await gateway.app.inject({ method: 'GET', url: '/v1/ops/overview' })).statusCode).toBe(401);
    expect((await gateway.app.inject({ method: 'GET', url: '/v1/ops/overview', headers: auth() })).json()).toMatchObject({ error: { code: 'GATEWAY_NOT_OPERATOR' } });
    expect((await gateway.app.inject({ method: 'POST', url: '/v1/ops/queues/segment/pause', headers: auth() })).statusCode).toBe(403);
    const off = await harness.gateway({ faceCheck: false });
    expect((await off.app.inject({ method: 'GET', url: '/v1/ops/jobs', headers: operator() })).statusCode).toBe(404);
  });

  it('overview: every queue with its counts and paused flag, the registered workers and stitchers, 60 minutes of throughput', async () => {
    const gateway = await operatorGateway();
    await createJob(gateway);
    const registry = new WorkerRegistry({ redis: gateway.context.redis, prefix: gateway.context.config.prefix });
    await registry.publish({ id: 'worker-h-7', role: 'worker', host: 'h', pid: 7, provider: 'cpu' }, { state: 'idle', stage: null, jobId: null, segment: null, framesPerSecond: null });
    await registry.publish({ id: 'stitcher-h-8', role: 'stitcher', host: 'h', pid: 8, provider: 'none' }, { state: 'stitching', stage: 'stitch', jobId: null, segment: null, framesPerSecond: null });
    const response = await gateway.app.inject({ method: 'GET', url: '/v1/ops/overview', headers: operator() });
    expect(response.statusCode).toBe(200);
    const body = response.json<{ queues: Array<{ name: string; waiting: number; prioritized: number; paused: boolean }>; workers: unknown[]; stitchers: unknown[]; throughput: Array<{ minute: string }> }>();
    expect(body.queues.map((q) => q.name)).toEqual(['prepare', 'segment', 'audio', 'stitch', 'webhook', 'cleanup']);
    expect(body.queues[0]).toEqual({ name: 'prepare', waiting: 1, prioritized: 1, delayed: 0, active: 0, failed: 0, paused: false });
    expect(body.workers).toEqual([expect.objectContaining({ id: 'worker-h-7', role: 'worker', provider: 'cpu', state: 'idle', segment: null, alive: true, lastHeartbeatAt: expect.any(String) as string })]);
    expect(body.stitchers).toEqual([expect.objectContaining({ id: 'stitcher-h-8', role: 'stitcher', provider: 'none', state: 'stitching', stage: 'stitch', alive: true })]);
    expect(body.throughput).toHaveLength(60);
    expect(Date.parse(body.throughput[59]!.minute)).toBeLessThanOrEqual(Date.now());
  });

  it('lists every tenant\'s jobs by status with a cursor, shows a timeline, cancels (202, idempotent, 409 once finished) and retries', async () => {
    const gateway = await operatorGateway();
    const { jobs } = gateway.context;
    const a = await createJob(gateway);
    const b = await createJob(gateway, 'key-tenant-b-0002');
    const c = await createJob(gateway);
    const page = await gateway.app.inject({ method: 'GET', url: '/v1/ops/jobs?status=queued&limit=2', headers: operator() });
    expect(page.json<{ jobs: Array<{ id: string; tenant: string }> }>().jobs.map((j) => [j.id, j.tenant])).toEqual([[c, 'tenant-a'], [b, 'tenant-b']]);
    const next = page.json<{ next: string }>().next;
    const rest = await gateway.app.inject({ method: 'GET', url: `/v1/ops/jobs?status=queued&limit=2&cursor=${next}`, headers: operator() });
    expect(rest.json()).toEqual({ jobs: [expect.objectContaining({ id: a, status: 'queued', progress: 0, error: null, retryOf: null })], next: null });
    const badStatus = await gateway.app.inject({ method: 'GET', url: '/v1/ops/jobs?status=rendering', headers: operator() });
    expect(badStatus.statusCode).toBe(422);
    expect(badStatus.json()).toMatchObject({ error: { code: 'GATEWAY_BAD_OPTION', message: expect.stringContaining('status') as string } });
    expect((await gateway.app.inject({ method: 'GET', url: '/v1/ops/jobs?cursor=bogus', headers: operator() })).json()).toMatchObject({ error: { code: 'GATEWAY_BAD_REQUEST' } });

    const timelines = new JobTimelines({ redis: gateway.context.redis, prefix: gateway.context.config.prefix });
    await timelines.started(a, 'prepare', null, 'worker-h-1');
    await timelines.ended(a, 'prepare', null, { status: 'done' });
    await timelines.started(a, 'segment', 0, 'worker-h-2');
    const timeline = await gateway.app.inject({ method: 'GET', url: `/v1/ops/jobs/${a}/timeline`, headers: operator() });
    expect(timeline.json()).toEqual({
      id: a,
      status: 'queued',
      events: [
        { stage: 'prepare', index: null, worker: 'worker-h-1', startedAt: expect.any(String) as string, endedAt: expect.any(String) as string, frames: null, status: 'done', error: null },
        { stage: 'segment', index: 0, worker: 'worker-h-2', startedAt: expect.any(String) as string, endedAt: null, frames: null, status: 'running', error: null },
      ],
    });
    expect((await gateway.app.inject({ method: 'GET', url: '/v1/ops/jobs/job_00000000000000000000000000/timeline', headers: operator() })).statusCode).toBe(404);

    const canceled = await gateway.app.inject({ method: 'POST', url: `/v1/ops/jobs/${b}/cancel`, headers: operator() });
    expect(canceled.statusCode).toBe(202);
    expect(canceled.json()).toMatchObject({ id: b, tenant: 'tenant-b', status: 'canceled' });
    expect((await jobs.getById(b))?.cancelRequested).toBe(true);
    expect((await gateway.app.inject({ method: 'POST', url: `/v1/ops/jobs/${b}/cancel`, headers: operator() })).statusCode).toBe(202);
    await jobs.fail(c, { code: 'FARM_X', message: 'boom' });
    expect((await gateway.app.inject({ method: 'POST', url: `/v1/ops/jobs/${c}/cancel`, headers: operator() })).json()).toMatchObject({ error: { code: 'GATEWAY_JOB_FINISHED' } });

    const retried = await gateway.app.inject({ method: 'POST', url: `/v1/ops/jobs/${b}/retry`, headers: operator() });
    expect(retried.statusCode).toBe(202);
    const again = retried.json<{ id: string; status: string; tenant: string; retryOf: string }>();
    expect(again).toMatchObject({ status: 'queued', tenant: 'tenant-b', retryOf: b });
    expect(await gateway.context.queues.queue(QUEUE_NAMES.prepare).getJob(`${again.id}-prepare`)).toBeDefined();
    // The tenant reads the new job as its own.
    expect((await gateway.app.inject({ method: 'GET', url: `/v1/jobs/${again.id}`, headers: auth('key-tenant-b-0002') })).statusCode).toBe(200);
    const refused = await gateway.app.inject({ method: 'POST', url: `/v1/ops/jobs/${a}/retry`, headers: operator() });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ error: { code: 'GATEWAY_JOB_NOT_RETRYABLE' } });
  });

  it('pauses and resumes a BullMQ queue (204); an unknown queue is 404 naming the queues', async () => {
    const gateway = await operatorGateway();
    const segment = gateway.context.queues.queue(QUEUE_NAMES.segment);
    expect((await gateway.app.inject({ method: 'POST', url: '/v1/ops/queues/segment/pause', headers: operator() })).statusCode).toBe(204);
    expect(await segment.isPaused()).toBe(true);
    const overview = await gateway.app.inject({ method: 'GET', url: '/v1/ops/overview', headers: operator() });
    expect(overview.json<{ queues: Array<{ name: string; paused: boolean }> }>().queues.find((q) => q.name === 'segment')?.paused).toBe(true);
    expect((await gateway.app.inject({ method: 'POST', url: '/v1/ops/queues/segment/resume', headers: operator() })).statusCode).toBe(204);
    expect(await segment.isPaused()).toBe(false);
    const unknown = await gateway.app.inject({ method: 'POST', url: '/v1/ops/queues/render/pause', headers: operator() });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json<{ error: { code: string; message: string } }>().error).toMatchObject({ code: 'GATEWAY_QUEUE_NOT_FOUND', message: expect.stringContaining('prepare, segment') as string });
    // A name no queue can have is 404 too; one past Fastify's 100 bytes of path parameter is the documented 400.
    const odd = await gateway.app.inject({ method: 'POST', url: `/v1/ops/queues/${encodeURIComponent('Ṱo͞ i')}/pause`, headers: operator() });
    expect(odd.statusCode).toBe(404);
    const long = await gateway.app.inject({ method: 'POST', url: `/v1/ops/queues/${'x'.repeat(120)}/pause`, headers: operator() });
    expect(long.json<{ error: { code: string } }>().error.code).toBe('GATEWAY_BAD_REQUEST');
  });

  it('streams server-sent events: the overview at once and every 2 s, a job row when it is created (a retry too), canceled or progresses, its id when deleted; shutdown ends the stream', async () => {
    const gateway = await operatorGateway();
    await gateway.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = gateway.app.server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/v1/ops/events`, { headers: operator() });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = response.body!.getReader();
    let text = '';
    let done = false;
    const reading = (async () => {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) break;
        text += Buffer.from(chunk.value).toString('utf8');
      }
      done = true;
    })();
    const events = (name: string): Array<Record<string, unknown>> =>
      [...text.matchAll(new RegExp(`event: ${name}\\ndata: (.*)\\n\\n`, 'g'))].map((m) => JSON.parse(m[1]!) as Record<string, unknown>);
    await expect.poll(() => events('overview').length).toBe(1);
    expect(events('overview')[0]).toMatchObject({ queues: expect.any(Array) as unknown[], workers: [], throughput: expect.any(Array) as unknown[] });
    await new Promise((resolve) => setTimeout(resolve, 200)); // the feed's subscription is in place
    const id = await createJob(gateway);
    await gateway.context.jobs.transition(id, 'preparing');
    await gateway.context.jobs.setPlan(id, { fps: 25, frameCount: 50, durationSeconds: 2, segments: [] });
    await gateway.context.jobs.reportSegment(id, 0, 25, true);
    expect((await gateway.app.inject({ method: 'POST', url: `/v1/ops/jobs/${id}/cancel`, headers: operator() })).statusCode).toBe(202);
    const retried = await gateway.app.inject({ method: 'POST', url: `/v1/ops/jobs/${id}/retry`, headers: operator() });
    expect(retried.statusCode).toBe(202);
    const retryId = retried.json<{ id: string }>().id;
    expect((await gateway.app.inject({ method: 'DELETE', url: `/v1/jobs/${id}`, headers: auth() })).statusCode).toBe(204);
    await expect.poll(() => events('job').map((e) => [e['id'], e['status'], e['progress']]), { timeout: 10_000 }).toEqual([
      [id, 'queued', 0],
      [id, 'preparing', 0],
      [id, 'preparing', 0.5],
      [id, 'canceled', 0.5],
      [retryId, 'queued', 0],
    ]);
    await expect.poll(() => events('job-deleted'), { timeout: 5000 }).toEqual([{ id }]);
    await expect.poll(() => events('overview').length, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
    const started = Date.now();
    await gateway.close();
    expect(Date.now() - started).toBeLessThan(3000);
    await reading;
    expect(done).toBe(true);
  });

  it('lets go of a stream whose client went away: it leaves the feed, and the others go on', async () => {
    const lines: string[] = [];
    const logger = createProcessLogger('gateway', { destination: { write: (text: string) => void lines.push(text) } });
    const gateway = await harness.gateway({ operatorKey: OPERATOR_KEY, faceCheck: false }, { logger });
    await gateway.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = gateway.app.server.address() as AddressInfo;
    const streamCounts = (msg: string): number[] =>
      lines.map((line) => JSON.parse(line) as { msg: string; streams?: number }).filter((e) => e.msg === msg).map((e) => e.streams ?? -1);
    const open = async (): Promise<{ abort: () => void; firstEvent: Promise<string> }> => {
      const controller = new AbortController();
      const response = await fetch(`http://127.0.0.1:${port}/v1/ops/events`, { headers: operator(), signal: controller.signal });
      const reader = response.body!.getReader();
      const firstEvent = (async () => {
        let text = '';
        while (!text.includes('event: overview')) text += Buffer.from((await reader.read()).value!).toString('utf8');
        return text;
      })();
      return { abort: () => controller.abort(), firstEvent };
    };
    const a = await open();
    const b = await open();
    await a.firstEvent;
    await b.firstEvent;
    expect(streamCounts('ops event stream opened')).toEqual([1, 2]);
    a.abort();
    await expect.poll(() => streamCounts('ops event stream closed')).toEqual([1]);
    b.abort();
    await expect.poll(() => streamCounts('ops event stream closed')).toEqual([1, 0]);
  });
});
