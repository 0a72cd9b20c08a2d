import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import sharp from 'sharp';
import { JobStore } from '@portrait-farm/jobs';
import { freePort } from '@portrait-farm/process-supervision';
import { bullPrefix, createRedisConnection, QUEUE_NAMES } from '@portrait-farm/queue';
import { startRedisServer, uniquePrefix } from '@portrait-farm/test-support/redis-server';
import type { RedisServerProcess } from '@portrait-farm/test-support/redis-server';
import { FIXTURES, getJob, until } from './farm-harness.ts';

// Issue 19, item 2: three gateway processes behind one Redis serve the same tenants. Idempotency keys, the per-tenant
// concurrency limit and its hold, the create rate and cancel are decided in Redis, so they hold whichever gateway a
// request reaches. No worker runs: jobs in the farm stay queued (active), which is what the limits count.
const MAX_CONCURRENT_JOBS = 4;
const JOBS_PER_MINUTE = 6;
const KEYS = { alice: 'key-of-alice-0001', bob: 'key-of-bob-00002', carol: 'key-of-carol-003', dave: 'key-of-dave-00004' } as const;
const work = mkdtempSync(join(tmpdir(), 'pf-e2e-gateways-'));
const gatewayMain = fileURLToPath(new URL('../../apps/gateway/src/main.ts', import.meta.url));
// Creates are JSON with input URLs served here: a multipart create refused by the create rate is answered before its
// upload is read, and the client may then see EPIPE instead of the 429.
const image = join(work, 'astronaut-256.jpg');
const audio = join(FIXTURES, 'speech-3s.mp3');
let inputs: Server;
let inputsOrigin = '';
const prefix = uniquePrefix('gateways');
const gateways: Array<{ child: ChildProcess; url: string; output: () => string }> = [];
let redis: RedisServerProcess;
let connection: ReturnType<typeof createRedisConnection>;
let prepareQueue: Queue;
let jobs: JobStore;

async function startGateway(publicUrl: string): Promise<(typeof gateways)[number]> {
  const port = await freePort();
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PORTRAIT_FARM_')));
  const child = spawn(process.execPath, ['--conditions=portrait-farm-source', '--import', 'tsx', gatewayMain], {
    env: {
      ...inherited,
      PORT: String(port),
      HOST: '127.0.0.1',
      PORTRAIT_FARM_REDIS_URL: redis.url,
      PORTRAIT_FARM_PREFIX: prefix,
      PORTRAIT_FARM_STORAGE_URL: join(work, 'storage'),
      PORTRAIT_FARM_PRESIGN_SECRET: 'presign-secret-shared-by-all-0001',
      PORTRAIT_FARM_PUBLIC_URL: publicUrl,
      PORTRAIT_FARM_API_KEYS: Object.entries(KEYS).map(([tenant, key]) => `${key}:${tenant}`).join(','),
      PORTRAIT_FARM_MAX_CONCURRENT_JOBS: String(MAX_CONCURRENT_JOBS),
      PORTRAIT_FARM_JOBS_PER_MINUTE: String(JOBS_PER_MINUTE),
      PORTRAIT_FARM_FACE_CHECK: '0',
      PORTRAIT_FARM_INPUT_ALLOW_HTTP: '1',
      PORTRAIT_FARM_INPUT_ALLOW_LOOPBACK: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (data: Buffer) => (text += data.toString()));
  child.stderr!.on('data', (data: Buffer) => (text += data.toString()));
  const url = `http://127.0.0.1:${port}`;
  const gateway = { child, url, output: () => text };
  gateways.push(gateway);
  await until(`gateway on ${url} ready`, async () => {
    if (child.exitCode !== null) throw new Error(`gateway exited (${child.exitCode}):\n${text}`);
    return (await fetch(`${url}/readyz`).catch(() => null))?.ok === true;
  }, 60_000, 200);
  return gateway;
}

interface CreateAnswer {
  status: number;
  body: { id: string; status: string; queuePosition?: number | null; error?: { code: string } };
  headers: Headers;
}

/** POST /v1/jobs as JSON with the inputs' URLs. */
async function submitJob(apiUrl: string, key: string, idempotencyKey?: string): Promise<CreateAnswer> {
  const headers: Record<string, string> = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
  const body = JSON.stringify({ consent: { attestation: true }, image: `${inputsOrigin}/portrait.jpg`, audio: `${inputsOrigin}/speech.mp3` });
  const response = await fetch(`${apiUrl}/v1/jobs`, { method: 'POST', headers, body });
  return { status: response.status, body: (await response.json()) as CreateAnswer['body'], headers: response.headers };
}

function cancel(url: string, key: string, id: string): Promise<Response> {
  return fetch(`${url}/v1/jobs/${id}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
}

/** The tenant's prepare steps waiting in the queue (no worker takes them here). */
async function queuedPrepares(tenantId: string): Promise<string[]> {
  const waiting = await prepareQueue.getJobs(['waiting', 'prioritized', 'delayed', 'active']);
  return waiting.filter((job) => job.data.tenantId === tenantId).map((job) => job.data.jobId as string);
}

/** Waits for a fresh minute when the rest of this one is short: the create rate counts per fixed minute. */
async function awayFromMinuteEnd(neededMs: number): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < neededMs) await new Promise((resolve) => setTimeout(resolve, left + 100));
}

beforeAll(async () => {
  await sharp(join(FIXTURES, 'astronaut.png')).resize(256, 256).jpeg().toFile(image);
  const files: Record<string, [string, Buffer]> = { '/portrait.jpg': ['image/jpeg', readFileSync(image)], '/speech.mp3': ['audio/mpeg', readFileSync(audio)] };
  inputs = createServer((request, response) => {
    const file = files[request.url ?? ''];
    if (file === undefined) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': file[0], 'content-length': file[1].length }).end(file[1]);
  });
  await new Promise<void>((resolve) => inputs.listen(0, '127.0.0.1', resolve));
  inputsOrigin = `http://127.0.0.1:${(inputs.address() as AddressInfo).port}`;
  redis = await startRedisServer();
  connection = createRedisConnection(redis.url, { role: 'worker' });
  prepareQueue = new Queue(QUEUE_NAMES.prepare, { connection, prefix: bullPrefix(prefix) });
  jobs = new JobStore({ redis: connection, prefix });
  // One public URL for all three, as behind a load balancer.
  const publicUrl = 'http://gateways.example';
  await Promise.all([startGateway(publicUrl), startGateway(publicUrl), startGateway(publicUrl)]);
}, 120_000);

afterAll(async () => {
  await Promise.all(
    gateways.map(async ({ child }) => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }),
  );
  await prepareQueue?.close();
  connection?.disconnect();
  await redis?.close();
  await new Promise((resolve) => (inputs === undefined ? resolve(undefined) : inputs.close(resolve)));
  rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('three gateways, one Redis', () => {
  it('the same create through two gateways at once with one Idempotency-Key makes one job', async () => {
    const [a, b] = gateways;
    const answers = await Promise.all([a!, b!].map((g) => submitJob(g.url, KEYS.alice, 'same-request-0001')));
    expect(answers.map((x) => x.status)).toEqual([202, 202]);
    expect(answers[0]!.body.id).toBe(answers[1]!.body.id);
    expect(answers.map((x) => x.headers.get('idempotent-replayed')).sort()).toEqual(['false', 'true']);
    const id = answers[0]!.body.id;
    const page = await jobs.list('alice', { limit: 10, cursor: null });
    expect(page.jobs.map((job) => job.id)).toEqual([id]);
    expect(await queuedPrepares('alice')).toEqual([id]);
  }, 60_000);

  it("a tenant's concurrency limit holds when its creates are spread over three gateways at once: the rest are held, then released one per job that ends", async () => {
    // As many creates as the create rate allows (in whichever minutes they land): exactly the limit go to the farm.
    const answers = await Promise.all(
      Array.from({ length: JOBS_PER_MINUTE }, (_, i) => submitJob(gateways[i % 3]!.url, KEYS.bob)),
    );
    expect(answers.map((x) => x.status)).toEqual(Array(JOBS_PER_MINUTE).fill(202));
    const inFarm = answers.filter((x) => x.body.queuePosition === null);
    const held = answers.filter((x) => x.body.queuePosition !== null);
    expect(inFarm).toHaveLength(MAX_CONCURRENT_JOBS);
    expect(held.map((x) => x.body.queuePosition).sort()).toEqual(Array.from({ length: JOBS_PER_MINUTE - MAX_CONCURRENT_JOBS }, (_, i) => i + 1));
    expect(held.map((x) => x.body.status)).toEqual(held.map(() => 'queued'));
    expect(await jobs.activeCount('bob')).toBe(MAX_CONCURRENT_JOBS);
    expect((await queuedPrepares('bob')).sort()).toEqual(inFarm.map((x) => x.body.id).sort());

    // Two running jobs canceled at once through two gateways: the two held ones are released (in hold order), queued
    // once each by one of the three gateways' dispatchers, and still exactly the limit is in the farm.
    const firstHeld = held.sort((a, b) => a.body.queuePosition! - b.body.queuePosition!).map((x) => x.body.id);
    const ending = inFarm.slice(0, 2).map((x) => x.body.id);
    expect((await Promise.all(ending.map((id, i) => cancel(gateways[i]!.url, KEYS.bob, id)))).map((r) => r.status)).toEqual([200, 200]);
    const expected = [...inFarm.slice(2).map((x) => x.body.id), ...firstHeld].sort();
    await until('the released jobs queued', async () => (await queuedPrepares('bob')).length === expected.length, 10_000, 50);
    expect((await queuedPrepares('bob')).sort()).toEqual(expected);
    expect(await jobs.activeCount('bob')).toBe(MAX_CONCURRENT_JOBS);
    expect(await jobs.heldCount('bob')).toBe(0);
    const views = await Promise.all(firstHeld.map((id, i) => getJob(gateways[i % 3]!.url, KEYS.bob, id)));
    expect(views.map((view) => [view.status, view.queuePosition])).toEqual(firstHeld.map(() => ['queued', null]));
  }, 90_000);

  it("a tenant's create rate holds across the three gateways", async () => {
    await awayFromMinuteEnd(20_000);
    const round = (): Promise<CreateAnswer[]> =>
      Promise.all(Array.from({ length: MAX_CONCURRENT_JOBS }, (_, i) => submitJob(gateways[i % 3]!.url, KEYS.dave)));
    const first = await round();
    expect(first.map((x) => x.status)).toEqual(Array(MAX_CONCURRENT_JOBS).fill(202));
    // Canceled, they no longer count against the concurrency limit; they still used the minute's create quota.
    for (const [i, created] of first.entries()) expect((await cancel(gateways[(i + 1) % 3]!.url, KEYS.dave, created.body.id)).status).toBe(200);
    const second = await round();
    const accepted = second.filter((x) => x.status === 202);
    expect(accepted).toHaveLength(JOBS_PER_MINUTE - MAX_CONCURRENT_JOBS);
    for (const refused of second.filter((x) => x.status !== 202)) {
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ error: { code: 'GATEWAY_RATE_LIMITED' } });
    }
  }, 90_000);

  it('a job created on A is canceled through B, reads canceled on C, and every gateway answers the same', async () => {
    const [a, b, c] = gateways;
    const created = await submitJob(a!.url, KEYS.carol);
    expect(created.status).toBe(202);
    const id = created.body.id;
    const canceled = await cancel(b!.url, KEYS.carol, id);
    expect(canceled.status).toBe(200);
    expect(await canceled.json()).toMatchObject({ id, status: 'canceled' });
    expect((await getJob(c!.url, KEYS.carol, id)).status).toBe('canceled');
    const views = await Promise.all(gateways.map((g) => getJob(g.url, KEYS.carol, id)));
    expect(views[1]).toEqual(views[0]);
    expect(views[2]).toEqual(views[0]);
    expect(await queuedPrepares('carol')).toEqual([]);
    // Another tenant does not see it on any of them.
    for (const g of gateways) expect((await fetch(`${g.url}/v1/jobs/${id}`, { headers: { authorization: `Bearer ${KEYS.alice}` } })).status).toBe(404);
  }, 60_000);
});
