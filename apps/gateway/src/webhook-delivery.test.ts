import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateSecret, verify } from '@portrait-farm/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  });
});
