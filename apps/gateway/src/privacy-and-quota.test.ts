// Issue 13, found 3, 9 and 10: DELETE /v1/jobs/{id}, retention, /metrics without tenant ids, the create quota only for
// jobs created, and the webhook's last deliveries in the job's status. Real redis-server and the real gateway.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jobStorageKeys } from '@portrait-farm/jobs';
import { readQueueCounts } from '@portrait-farm/queue';
import { generateSecret } from '@portrait-farm/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from './build-gateway.ts';
import { sweepExpiredJobs } from './retention.ts';
import { auth, GatewayHarness, jobForm, KEY_B } from './testing/gateway-harness.ts';
import type { JobForm } from './testing/gateway-harness.ts';

const DAY_MS = 86_400_000;

let harness: GatewayHarness;
let receiver: Server;
let receiverHost: string;
const statuses: number[] = [];

beforeAll(async () => {
  harness = await GatewayHarness.start();
  receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(statuses.shift() ?? 204).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverHost = `127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => receiver.close(resolve));
  await harness.close();
});

async function create(gateway: Gateway, form: JobForm = {}, headers: Record<string, string> = {}): Promise<{ statusCode: number; id: string; replayed: string | undefined; code: string | undefined }> {
  const { payload, headers: formHeaders } = await jobForm(form);
  const response = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(undefined, { ...formHeaders, ...headers }), payload });
  const body = response.json<{ id?: string; error?: { code: string } }>();
  return { statusCode: response.statusCode, id: body.id ?? '', replayed: response.headers['idempotent-replayed'] as string | undefined, code: body.error?.code };
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    value = await read();
  }
  return value;
}

describe('DELETE /v1/jobs/{id} (found 9)', () => {
  it("removes a finished job's inputs, output and record; the job is then 404 and gone from the list", async () => {
    const gateway = await harness.gateway();
    const { jobs, storage } = gateway.context;
    const { id } = await create(gateway, {}, { 'idempotency-key': 'delete-me' });
    await storage.put(jobStorageKeys.output(id), Buffer.from('video'));
    await jobs.fail(id, { code: 'X', message: 'failed for the test' });
    expect((await storage.list(jobStorageKeys.root(id))).length).toBe(3);

    const other = await gateway.app.inject({ method: 'DELETE', url: `/v1/jobs/${id}`, headers: auth(KEY_B) });
    expect(other.statusCode).toBe(404);
    expect(other.json()).toMatchObject({ error: { code: 'GATEWAY_JOB_NOT_FOUND' } });
    expect((await storage.list(jobStorageKeys.root(id))).length).toBe(3);

    const deleted = await gateway.app.inject({ method: 'DELETE', url: `/v1/jobs/${id}`, headers: auth() });
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    expect(await storage.list(jobStorageKeys.root(id))).toEqual([]);
    expect(await jobs.getById(id)).toBeNull();
    expect(await jobs.webhookAttempts(id)).toEqual([]);
    expect((await gateway.app.inject({ method: 'GET', url: `/v1/jobs/${id}`, headers: auth() })).statusCode).toBe(404);
    expect((await gateway.app.inject({ method: 'DELETE', url: `/v1/jobs/${id}`, headers: auth() })).statusCode).toBe(404);
    const list = await gateway.app.inject({ method: 'GET', url: '/v1/jobs', headers: auth() });
    expect(list.json<{ jobs: unknown[] }>().jobs).toEqual([]);
    // Its Idempotency-Key went with it: the same request makes a new job, not a replay of a deleted one.
    const again = await create(gateway, {}, { 'idempotency-key': 'delete-me' });
    expect([again.statusCode, again.replayed]).toEqual([202, 'false']);
    expect(again.id).not.toBe(id);
  });

  it('cancels a running job first: its steps are discarded, its slot freed, and nothing of it stays', async () => {
    const gateway = await harness.gateway({ limits: { maxConcurrentJobs: 1 } });
    const { jobs, storage, queues } = gateway.context;
    const { id } = await create(gateway);
    expect(await jobs.activeCount('tenant-a')).toBe(1);
    expect((await readQueueCounts(queues, 'prepare')).waiting).toBe(1);
    const deleted = await gateway.app.inject({ method: 'DELETE', url: `/v1/jobs/${id}`, headers: auth() });
    expect(deleted.statusCode).toBe(204);
    expect(await jobs.activeCount('tenant-a')).toBe(0);
    expect((await readQueueCounts(queues, 'prepare')).waiting).toBe(0);
    expect(await storage.list(jobStorageKeys.root(id))).toEqual([]);
    expect(await jobs.getById(id)).toBeNull();
    expect((await create(gateway)).statusCode).toBe(202);
  });
});

describe('retention (found 9)', () => {
  it('removes finished jobs past PORTRAIT_FARM_RETENTION_DAYS and keeps running and recent ones', async () => {
    const gateway = await harness.gateway({ retentionDays: 30 });
    const { jobs, storage } = gateway.context;
    const canceled = (await create(gateway)).id;
    const succeeded = (await create(gateway)).id;
    const running = (await create(gateway)).id;
    await gateway.app.inject({ method: 'POST', url: `/v1/jobs/${canceled}/cancel`, headers: auth() });
    await jobs.transition(succeeded, 'preparing');
    await jobs.transition(succeeded, 'rendering');
    await jobs.transition(succeeded, 'stitching');
    await storage.put(jobStorageKeys.output(succeeded), Buffer.from('video'));
    await jobs.succeed(succeeded, { key: jobStorageKeys.output(succeeded), size: 5, durationSeconds: 1, sha256: 'ab'.repeat(32) });

    expect(await sweepExpiredJobs(gateway.context, Date.now() + 29 * DAY_MS)).toEqual([]);
    const removed = await sweepExpiredJobs(gateway.context, Date.now() + 31 * DAY_MS);
    expect(removed.sort()).toEqual([canceled, succeeded].sort());
    for (const id of [canceled, succeeded]) {
      expect(await jobs.getById(id)).toBeNull();
      expect(await storage.list(jobStorageKeys.root(id))).toEqual([]);
    }
    expect((await jobs.getById(running))?.status).toBe('queued');
    expect((await storage.list(jobStorageKeys.root(running))).length).toBe(2);
    const listed = await gateway.app.inject({ method: 'GET', url: '/v1/jobs', headers: auth() });
    expect(listed.json<{ jobs: Array<{ id: string }> }>().jobs.map((job) => job.id)).toEqual([running]);
  });

  it('keeps everything when retention is 0', async () => {
    const gateway = await harness.gateway({ retentionDays: 0 });
    const { id } = await create(gateway);
    await gateway.app.inject({ method: 'POST', url: `/v1/jobs/${id}/cancel`, headers: auth() });
    expect(await sweepExpiredJobs(gateway.context, Date.now() + 3650 * DAY_MS)).toEqual([]);
    expect(await gateway.context.jobs.getById(id)).not.toBeNull();
  });
});

describe('/metrics (found 9)', () => {
  it('names no tenant', async () => {
    const gateway = await harness.gateway();
    expect((await create(gateway)).statusCode).toBe(202);
    const metrics = await gateway.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toMatch(/^portrait_farm_jobs_created_total 1$/m);
    expect(metrics.body).not.toContain('tenant-a');
    expect(metrics.body).not.toMatch(/tenant=/);
  });
});

describe('create quota (found 10)', () => {
  it('counts only jobs created: refused creates and idempotent replays leave the quota', async () => {
    const gateway = await harness.gateway({ limits: { jobsPerMinute: 2 } });
    for (let i = 0; i < 4; i++) {
      const refused = await create(gateway, { options: { mode: 'nonsense' } });
      expect(refused.statusCode).toBe(422);
    }
    const first = await create(gateway, {}, { 'idempotency-key': 'quota-1' });
    expect(first.statusCode).toBe(202);
    for (let i = 0; i < 3; i++) {
      const replay = await create(gateway, {}, { 'idempotency-key': 'quota-1' });
      expect([replay.statusCode, replay.replayed, replay.id]).toEqual([202, 'true', first.id]);
    }
    expect((await create(gateway)).statusCode).toBe(202);
    const third = await create(gateway);
    expect([third.statusCode, third.code]).toEqual([429, 'GATEWAY_RATE_LIMITED']);
  });
});

describe('webhook receivers (found 3)', () => {
  it('takes a loopback receiver only where named, and shows the last delivery outcomes in the status', async () => {
    const secret = generateSecret();
    const strict = await harness.gateway({ inputFetch: { allowHttp: true } });
    const refused = await create(strict, { webhook: { url: `http://${receiverHost}/hook` } });
    expect([refused.statusCode, refused.code]).toEqual([422, 'GATEWAY_WEBHOOK_URL_REFUSED']);

    const gateway = await harness.gateway({
      inputFetch: { allowHttp: true },
      webhookSecrets: { 'tenant-a': secret },
      webhooks: { runWorker: true, allowHosts: [receiverHost], retryScheduleMs: [50] },
    });
    // The gateway itself, Redis: other loopback services are still refused.
    const redisPort = new URL(harness.redis.url).port;
    const redis = await create(gateway, { webhook: { url: `http://127.0.0.1:${redisPort}/` } });
    expect([redis.statusCode, redis.code]).toEqual([422, 'GATEWAY_WEBHOOK_URL_REFUSED']);

    statuses.push(503);
    const { id } = await create(gateway, { webhook: { url: `http://${receiverHost}/hook`, events: ['job.canceled'] } });
    const before = (await gateway.app.inject({ method: 'GET', url: `/v1/jobs/${id}`, headers: auth() })).json<{ webhook: unknown }>();
    expect(before.webhook).toEqual({ url: `http://${receiverHost}/hook`, events: ['job.canceled'], deliveries: [] });
    await gateway.app.inject({ method: 'POST', url: `/v1/jobs/${id}/cancel`, headers: auth() });
    type Deliveries = { webhook: { deliveries: Array<{ event: string; attempt: number; ok: boolean; status: number | null; errorCode: string | null }> } };
    const view = await waitFor(
      async () => (await gateway.app.inject({ method: 'GET', url: `/v1/jobs/${id}`, headers: auth() })).json<Deliveries>(),
      (job) => job.webhook.deliveries.length >= 2,
    );
    expect(view.webhook.deliveries.map((d) => [d.event, d.attempt, d.ok, d.status, d.errorCode])).toEqual([
      ['job.canceled', 1, false, 503, 'WEBHOOK_HTTP_STATUS'],
      ['job.canceled', 2, true, 204, null],
    ]);
  });
});

describe('retention of jobs that ended before the finished set existed (found 9)', () => {
  it('indexes them once, so the sweep removes them too', async () => {
    const gateway = await harness.gateway({ retentionDays: 1 });
    const { jobs, redis } = gateway.context;
    const { id } = await create(gateway);
    await gateway.app.inject({ method: 'POST', url: `/v1/jobs/${id}/cancel`, headers: auth() });
    await redis.zrem(jobs.keys.finishedJobs(), id); // as a job canceled by an older gateway
    expect(await sweepExpiredJobs(gateway.context, Date.now() + 2 * DAY_MS)).toEqual([]);
    expect(await jobs.indexFinishedJobs()).toBe(1);
    expect(await jobs.indexFinishedJobs()).toBe(0);
    expect(await sweepExpiredJobs(gateway.context, Date.now() + 2 * DAY_MS)).toEqual([id]);
    expect(await jobs.getById(id)).toBeNull();
  });
});
