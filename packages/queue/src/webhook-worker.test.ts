import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JobStore, jobView } from '@portrait-farm/jobs';
import { testJob } from '@portrait-farm/jobs/testing';
import type { JobEventType, NewJob } from '@portrait-farm/jobs';
import { generateSecret, verify } from '@portrait-farm/webhooks';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, uniquePrefix } from '@portrait-farm/test-support/redis-server';
import type { RedisServerProcess } from '@portrait-farm/test-support/redis-server';
import { createRedisConnection } from './connection.ts';
import { FarmQueues } from './farm-queues.ts';
import { createWebhookWorker, webhookMessageId } from './webhook-worker.ts';
import type { WebhookOutcome } from './webhook-worker.ts';

interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
  at: number;
}

/** A receiver on 127.0.0.1 answering the given statuses in turn (the last one repeats). */
async function startReceiver(statuses: number[]): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks), at: Date.now() });
      response.statusCode = statuses[Math.min(received.length - 1, statuses.length - 1)] ?? 200;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, received, server };
}

function jobWithWebhook(url: string, events: JobEventType[]): NewJob {
  return testJob({ webhook: { url, events }, requestHash: 'h' });
}

let server: RedisServerProcess;
let client: Redis;
let workerConnection: Redis;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  server = await startRedisServer();
  client = createRedisConnection(server.url);
  workerConnection = createRedisConnection(server.url, { role: 'worker' });
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  client.disconnect();
  workerConnection.disconnect();
  await server.close();
});

async function setUp(statuses: number[]) {
  const prefix = uniquePrefix();
  const receiver = await startReceiver(statuses);
  const jobs = new JobStore({ redis: client, prefix });
  const queues = new FarmQueues({ connection: client, prefix });
  const secret = generateSecret();
  const outcomes: WebhookOutcome[] = [];
  const worker = createWebhookWorker({
    connection: workerConnection,
    queues,
    jobs,
    secretFor: (tenantId) => (tenantId === 'tenant-a' ? secret : null),
    retry: { scheduleMs: [40, 40, 40, 40], jitter: 0 },
    allowLoopback: true,
    timeoutMs: 2000,
    eventData: (record) => jobView(record, { publicBaseUrl: 'https://farm.example', presignSeconds: 600, storage: { presignGet: async () => 'https://files.example/signed?sig=0' } }),
    onOutcome: (outcome) => {
      if (outcome !== 'error') outcomes.push(outcome);
    },
  });
  cleanups.push(async () => {
    await worker.close();
    await queues.close();
    await new Promise((resolve) => receiver.server.close(resolve));
  });
  return { receiver, jobs, queues, secret, outcomes };
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('webhook worker', () => {
  it('retries a failing endpoint with the schedule and delivers a signed job.succeeded', async () => {
    const { receiver, jobs, queues, secret, outcomes } = await setUp([500, 503, 500, 200]);
    const { record } = await jobs.create(jobWithWebhook(receiver.url, ['job.succeeded', 'job.failed']));
    await jobs.transition(record.id, 'stitching');
    await jobs.succeed(record.id, { key: `jobs/${record.id}/output.mp4`, size: 1234, durationSeconds: 2, sha256: 'c'.repeat(64) });
    const done = (await jobs.getById(record.id))!;
    expect(await queues.notify(done, 'job.canceled')).toBeNull(); // not subscribed
    expect(await queues.notify(done, 'job.succeeded')).not.toBeNull();
    await until(() => outcomes.includes('delivered'));

    expect(receiver.received).toHaveLength(4);
    const ids = new Set(receiver.received.map((r) => r.headers['webhook-id']));
    expect([...ids]).toEqual([webhookMessageId({ jobId: record.id, event: 'job.succeeded', sequence: 0 })]);
    for (let i = 1; i < 4; i += 1) expect(receiver.received[i]!.at - receiver.received[i - 1]!.at).toBeGreaterThanOrEqual(35);
    const last = receiver.received[3]!;
    expect(verify(secret, last.headers as Record<string, string>, last.body).id).toBe(last.headers['webhook-id']);
    const event = JSON.parse(last.body.toString()) as { type: string; data: { id: string; status: string; output: { size: number } } };
    // The data is the job as GET /v1/jobs/{id} shows it: its URLs and the output's download URL and expiry.
    expect(event).toMatchObject({
      type: 'job.succeeded',
      data: {
        id: record.id,
        status: 'succeeded',
        output: { size: 1234, url: 'https://files.example/signed?sig=0', expiresAt: expect.stringMatching(/^\d{4}-/) },
        urls: { self: `https://farm.example/v1/jobs/${record.id}`, live: `https://farm.example/v1/jobs/${record.id}/live.m3u8` },
      },
    });
    expect(JSON.stringify(event)).not.toContain(`"jobs/${record.id}/output.mp4"`); // no storage keys leak to receivers

    const attempts = await jobs.webhookAttempts(record.id);
    expect(attempts.map((a) => [a.attempt, a.ok, a.status])).toEqual([
      [1, false, 500],
      [2, false, 503],
      [3, false, 500],
      [4, true, 200],
    ]);
    expect(attempts[0]!.nextAttemptAt).not.toBeNull();
    expect(outcomes.filter((o) => o === 'retry-scheduled')).toHaveLength(3);
  });

  it('disables an endpoint that answers 410 Gone and gives up after the schedule', async () => {
    const gone = await setUp([410]);
    const { record } = await gone.jobs.create(jobWithWebhook(gone.receiver.url, ['job.failed']));
    await gone.jobs.fail(record.id, { code: 'X', message: 'boom' });
    await gone.queues.notify((await gone.jobs.getById(record.id))!, 'job.failed');
    await until(() => gone.outcomes.includes('endpoint-disabled'));
    expect(await gone.jobs.isEndpointDisabled('tenant-a', gone.receiver.url)).toBe(true);
    const second = await gone.jobs.create(jobWithWebhook(gone.receiver.url, ['job.failed']));
    await gone.jobs.fail(second.record.id, { code: 'X', message: 'boom' });
    await gone.queues.notify((await gone.jobs.getById(second.record.id))!, 'job.failed');
    await until(() => gone.outcomes.filter((o) => o === 'endpoint-disabled').length === 2);
    expect(gone.receiver.received).toHaveLength(1);

    const failing = await setUp([500]);
    const third = await failing.jobs.create(jobWithWebhook(failing.receiver.url, ['job.failed']));
    await failing.jobs.fail(third.record.id, { code: 'X', message: 'boom' });
    await failing.queues.notify((await failing.jobs.getById(third.record.id))!, 'job.failed');
    await until(() => failing.outcomes.includes('gave-up'));
    expect(failing.receiver.received).toHaveLength(5); // first attempt + 4 retries
  });
});
