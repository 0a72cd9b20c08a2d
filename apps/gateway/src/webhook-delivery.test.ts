import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { createValidator } from '@portrait-farm/contracts';
import { jobStorageKeys } from '@portrait-farm/jobs';
import { generateSecret, verify } from '@portrait-farm/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENAPI_FILE } from './openapi.ts';
import { auth, GatewayHarness, jobForm } from './testing/gateway-harness.ts';

let harness: GatewayHarness;
let receiver: Server;
let url: string;
const received: Array<{ headers: IncomingHttpHeaders; body: Buffer }> = [];

beforeAll(async () => {
  harness = await GatewayHarness.start();
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks) });
      response.writeHead(received.length === 1 ? 503 : 204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/farm-events`;
});

afterAll(async () => {
  await new Promise((resolve) => receiver.close(resolve));
  await harness.close();
});

describe('webhook delivery worker in the gateway process', () => {
  it('delivers a signed job.canceled after a cancel, retrying once', async () => {
    const secret = generateSecret();
    const gateway = await harness.gateway({
      inputFetch: { allowHttp: true },
      webhookSecrets: { 'tenant-a': secret },
      webhooks: { runWorker: true, allowLoopback: true, retryScheduleMs: [50, 50] },
    });
    const form = await jobForm({ webhook: { url, events: ['job.canceled', 'job.succeeded'] } });
    const created = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(undefined, form.headers), payload: form.payload });
    const id = created.json<{ id: string }>().id;
    await gateway.app.inject({ method: 'POST', url: `/v1/jobs/${id}/cancel`, headers: auth() });
    const deadline = Date.now() + 10_000;
    while (received.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(received).toHaveLength(2);
    const last = received[1]!;
    verify(secret, last.headers as Record<string, string>, last.body);
    expect(JSON.parse(last.body.toString())).toMatchObject({ type: 'job.canceled', data: { id, status: 'canceled' } });
    // The receiver sees the request before the worker records the attempt's outcome: wait for the record.
    let attempts = await gateway.context.jobs.webhookAttempts(id);
    while (attempts.length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      attempts = await gateway.context.jobs.webhookAttempts(id);
    }
    expect(attempts.map((a) => [a.event, a.attempt, a.ok, a.status])).toEqual([
      ['job.canceled', 1, false, 503],
      ['job.canceled', 2, true, 204],
    ]);
    // The gateway's delivery worker counts its attempts by outcome, as the stitcher's does.
    let counted = '';
    while (!counted.includes('outcome="delivered"} 1') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      counted = (await gateway.context.metrics.registry.getSingleMetricAsString('portrait_farm_webhook_deliveries_total')) ?? '';
    }
    expect(counted).toContain('portrait_farm_webhook_deliveries_total{outcome="retry-scheduled"} 1');
    expect(counted).toContain('portrait_farm_webhook_deliveries_total{outcome="delivered"} 1');
  });

  // Regression (issue 16, item 4): webhook data lacked the urls the document's Job requires, and job.succeeded the
  // output's url and expiresAt.
  it('delivers the job as the document\'s Job, as GET /v1/jobs/{id} shows it, with a working download URL', async () => {
    const secret = generateSecret();
    const gateway = await harness.gateway({
      inputFetch: { allowHttp: true },
      webhookSecrets: { 'tenant-a': secret },
      webhooks: { runWorker: true, allowLoopback: true, retryScheduleMs: [50, 50] },
    });
    const { jobs, storage, queues } = gateway.context;
    const form = await jobForm({ webhook: { url, events: ['job.succeeded'] } });
    const created = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(undefined, form.headers), payload: form.payload });
    const id = created.json<{ id: string }>().id;
    await jobs.transition(id, 'preparing');
    await jobs.setPlan(id, { fps: 25, frameCount: 50, durationSeconds: 2, segments: [{ index: 0, firstWindow: 0, windowCount: 1, frameStart: 0, frameEnd: 50 }] });
    await jobs.transition(id, 'rendering');
    await jobs.reportSegment(id, 0, 50, true);
    await jobs.transition(id, 'stitching');
    await storage.put(jobStorageKeys.output(id), Buffer.from('final-mp4'));
    await jobs.succeed(id, { key: jobStorageKeys.output(id), size: 9, durationSeconds: 2, sha256: 'ab'.repeat(32) });
    const before = received.length;
    await queues.notify((await jobs.getById(id))!, 'job.succeeded');
    const deadline = Date.now() + 10_000;
    while (received.length === before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    const delivery = received.at(-1)!;
    verify(secret, delivery.headers as Record<string, string>, delivery.body);
    const event = JSON.parse(delivery.body.toString()) as { type: string; data: Record<string, unknown> & { output: { url: string; expiresAt: string } } };
    expect(event.type).toBe('job.succeeded');

    // Valid under the committed document's Job and WebhookEvent schemas, with the project's validator.
    const document = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as { components: { schemas: Record<string, object> } };
    const local = (schema: object): object => JSON.parse(JSON.stringify(schema).replaceAll('#/components/schemas/', '#/$defs/')) as object;
    const $defs = Object.fromEntries(Object.entries(document.components.schemas).map(([name, schema]) => [name, local(schema)]));
    const ajv = createValidator();
    for (const [name, value] of [['Job', event.data], ['WebhookEvent', event]] as const) {
      const validate = ajv.compile({ $defs, type: 'object', $ref: `#/$defs/${name}`, unevaluatedProperties: false });
      expect(validate(value) ? [] : validate.errors, `the webhook's ${name === 'Job' ? 'data' : 'body'} against ${name}`).toEqual([]);
    }

    // The same fields and values as the job's own answer; the download URL works and says when it expires.
    // GET alone adds the webhook and its last deliveries (issue 13, found 3), and the place in the tenant's hold.
    const { webhook, queuePosition, ...view } = (await gateway.app.inject({ method: 'GET', url: `/v1/jobs/${id}`, headers: auth() })).json<Record<string, unknown>>();
    expect(webhook).toMatchObject({ url, events: ['job.succeeded'] });
    expect(queuePosition).toBeNull();
    const withoutDownload = (job: Record<string, unknown>): object => ({ ...job, output: { ...(job['output'] as object), url: null, expiresAt: null } });
    expect(withoutDownload(event.data)).toEqual(withoutDownload(view));
    expect(event.data['urls']).toEqual({
      self: `http://gateway.test/v1/jobs/${id}`,
      cancel: `http://gateway.test/v1/jobs/${id}/cancel`,
      result: `http://gateway.test/v1/jobs/${id}/result`,
      live: `http://gateway.test/v1/jobs/${id}/live.m3u8`,
      manifest: `http://gateway.test/v1/jobs/${id}/manifest`,
    });
    expect(Date.parse(event.data.output.expiresAt) - Date.now()).toBeGreaterThan(60_000);
    const download = await gateway.app.inject({ method: 'GET', url: event.data.output.url.replace('http://gateway.test', '') });
    expect(download.body).toBe('final-mp4');
  });
});
