import { mkdtempSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGatewayProcessConfig } from './config.ts';
import { auth, CONSENT, GatewayHarness, jobForm, KEY_A } from './testing/gateway-harness.ts';
import { pngImage, portraitPng, wavTone } from './testing/media-fixtures.ts';
import { multipartBody } from './testing/multipart-body.ts';
import { listen, RawClient, requestHead } from './testing/raw-http.ts';
import type { Gateway } from './build-gateway.ts';

// Item 2 of issue 13's outside tester: slow or silent clients are cut off by the header, body and idle timeouts with
// a 408, their sockets and spool folders released; an early error closes the connection. Real sockets (node:net)
// against a listening gateway; the spool folders are counted in a TMPDIR of this file's own.

const SPOOL_ROOT = mkdtempSync(join(tmpdir(), 'pf-transport-test-'));
process.env['TMPDIR'] = SPOOL_ROOT; // createJob's mkdtemp(tmpdir()) spools here from now on

const TIMEOUTS = { headerMs: 1000, bodyMs: 2500, idleMs: 800 };

let harness: GatewayHarness;
let gateway: Gateway;
let port: number;
let form: { payload: Buffer; headers: Record<string, string> };

beforeAll(async () => {
  harness = await GatewayHarness.start();
  gateway = await harness.gateway({ timeouts: TIMEOUTS, limits: { requestsPerMinute: 100_000, jobsPerMinute: 100_000 } });
  port = await listen(gateway.app);
  form = await jobForm();
});

afterAll(async () => {
  await harness.close();
});

function spoolFolders(): string[] {
  return readdirSync(SPOOL_ROOT).filter((name) => name.startsWith('pf-gateway-') && !name.startsWith('pf-gateway-store-'));
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  return check();
}

function createHead(length: number): string {
  return requestHead('POST', '/v1/jobs', auth(KEY_A, form.headers), length);
}

async function rejections(): Promise<string> {
  return (await gateway.context.metrics.registry.getSingleMetricAsString('portrait_farm_http_errors_total')) ?? '';
}

describe('transport timeouts', () => {
  it('reads its timeouts from the environment and refuses a body timeout shorter than the header timeout', () => {
    const env = { PORTRAIT_FARM_STORAGE_URL: '/tmp/x', PORTRAIT_FARM_PRESIGN_SECRET: 'x'.repeat(20), PORTRAIT_FARM_API_KEYS: `${KEY_A}:tenant-a` };
    expect(loadGatewayProcessConfig(env).config.timeouts).toEqual({ headerMs: 10_000, bodyMs: 60_000, idleMs: 10_000 });
    const set = { ...env, PORTRAIT_FARM_HEADER_TIMEOUT_MS: '2000', PORTRAIT_FARM_BODY_TIMEOUT_MS: '30000', PORTRAIT_FARM_IDLE_TIMEOUT_MS: '5000' };
    expect(loadGatewayProcessConfig(set).config.timeouts).toEqual({ headerMs: 2000, bodyMs: 30_000, idleMs: 5000 });
    expect(() => loadGatewayProcessConfig({ ...set, PORTRAIT_FARM_BODY_TIMEOUT_MS: '1000' })).toThrow('must be at least timeouts.headerMs');
  });

  it('headers sent 1 byte every 0.2 s: 408 at the header timeout, socket closed', async () => {
    const client = await RawClient.open(port);
    void client.trickle(createHead(form.payload.length), 200);
    const answer = await client.settle(5000);
    expect(answer.status).toBe(408);
    expect(answer.code).toBe('GATEWAY_REQUEST_TIMEOUT');
    expect(answer.message).toContain(`headers did not arrive within ${TIMEOUTS.headerMs} ms`);
    expect(answer.closedAfterMs).toBeGreaterThanOrEqual(TIMEOUTS.headerMs - 50);
    expect(answer.closedAfterMs).toBeLessThan(TIMEOUTS.headerMs + 3000);
  });

  it('a connection that sends nothing is closed at the header timeout', async () => {
    const client = await RawClient.open(port);
    const answer = await client.settle(5000);
    expect(answer.status).toBe(408);
    expect(answer.closedAfterMs).toBeGreaterThanOrEqual(TIMEOUTS.headerMs - 50);
    expect(answer.closedAfterMs).toBeLessThan(TIMEOUTS.headerMs + 3000);
  });

  it('a body sent 1 byte every 0.2 s: 408 at the body timeout, socket and spool folder released', async () => {
    const client = await RawClient.open(port);
    client.write(createHead(form.payload.length));
    void client.trickle(form.payload, 200);
    expect(await until(() => spoolFolders().length === 1, 2000)).toBe(true);
    const answer = await client.settle(6000);
    expect(answer.status).toBe(408);
    expect(answer.message).toContain(`body did not arrive within ${TIMEOUTS.bodyMs} ms`);
    expect(answer.closedAfterMs).toBeGreaterThanOrEqual(TIMEOUTS.bodyMs - 50);
    expect(answer.closedAfterMs).toBeLessThan(TIMEOUTS.bodyMs + 3000);
    expect(await until(() => spoolFolders().length === 0, 2000)).toBe(true);
  });

  it('silence after the headers (and mid-body): 408 at the idle timeout, spool folder released', async () => {
    for (const sent of [0, 3000]) {
      const client = await RawClient.open(port);
      client.write(createHead(form.payload.length));
      client.write(form.payload.subarray(0, sent));
      const answer = await client.settle(5000);
      expect(answer.status).toBe(408);
      expect(answer.message).toContain(`nothing arrived for ${TIMEOUTS.idleMs} ms`);
      expect(answer.closedAfterMs).toBeGreaterThanOrEqual(TIMEOUTS.idleMs - 50);
      expect(answer.closedAfterMs).toBeLessThan(TIMEOUTS.idleMs + 3000);
      expect(await until(() => spoolFolders().length === 0, 2000)).toBe(true);
    }
  });

  it('60 trickling sockets are all released at the body timeout, and a create then succeeds', async () => {
    const started = Date.now();
    const clients = await Promise.all(Array.from({ length: 60 }, () => RawClient.open(port)));
    for (const client of clients) {
      client.write(createHead(form.payload.length));
      void client.trickle(form.payload, 250);
    }
    const answers = await Promise.all(clients.map((client) => client.settle(8000)));
    const held = Date.now() - started;
    console.log(`60 trickling sockets: all closed ${held} ms after opening (body timeout ${TIMEOUTS.bodyMs} ms); spool folders left: ${spoolFolders().length}`);
    expect(answers.every((answer) => answer.status === 408 && answer.closedAfterMs !== null)).toBe(true);
    expect(await until(() => spoolFolders().length === 0, 3000)).toBe(true);
    const response = await fetch(`http://127.0.0.1:${port}/v1/jobs`, { method: 'POST', headers: auth(KEY_A, form.headers), body: form.payload });
    expect(response.status).toBe(202);
    expect(await rejections()).not.toContain('GATEWAY_INTERNAL');
  });

  it('a request that arrived whole keeps its socket while it is answered, however long past the idle timeout', async () => {
    // a JSON create whose input server answers after twice the idle timeout: the socket is silent meanwhile
    const slowFiles = new Map([['/portrait.png', await portraitPng()], ['/speech.wav', wavTone(1)]]);
    const slow = createServer((request, response) => {
      setTimeout(() => response.writeHead(200).end(slowFiles.get(request.url ?? '')), TIMEOUTS.idleMs * 2);
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
    const fetching = await harness.gateway({ timeouts: TIMEOUTS, inputFetch: { allowHttp: true, allowLoopback: true } });
    const fetchingPort = await listen(fetching.app);
    const body = JSON.stringify({ consent: CONSENT, image: `${origin}/portrait.png`, audio: `${origin}/speech.wav` });
    const client = await RawClient.open(fetchingPort);
    client.write(requestHead('POST', '/v1/jobs', auth(KEY_A, { 'content-type': 'application/json' }), body.length) + body);
    const answer = await client.response(10_000);
    await new Promise((resolve) => slow.close(resolve));
    expect(answer.status).toBe(202);
    expect(answer.closedAfterMs).toBeNull();
    const idle = await client.settle(TIMEOUTS.idleMs * 2); // then keep-alive: still open past the idle timeout
    expect(idle.closedAfterMs).toBeNull();
    client.destroy();
  });
});

describe('early errors and client aborts', () => {
  it('an early 413 (two inputs each under the limit, over it together) closes the connection: the client does not hang', async () => {
    const small = await harness.gateway({ timeouts: TIMEOUTS, limits: { maxUploadBytes: 600_000 } });
    const smallPort = await listen(small.app);
    const body = multipartBody([
      { name: 'image', value: Buffer.concat([await pngImage(64, 64), Buffer.alloc(350_000)]), filename: 'portrait.png', contentType: 'image/png' },
      // 576 kB: the budget runs out about 330 kB before the body ends, so the answer comes while the client still
      // sends (with less left, a busy gateway may have read the whole body first and rightly keep the connection).
      { name: 'audio', value: wavTone(18), filename: 'speech.wav', contentType: 'audio/wav' },
    ]);
    const client = await RawClient.open(smallPort);
    client.write(requestHead('POST', '/v1/jobs', auth(KEY_A, body.headers), body.payload.length));
    for (let offset = 0; offset < body.payload.length && client.closedAt === null; offset += 16_384) {
      client.write(body.payload.subarray(offset, offset + 16_384));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const answer = await client.settle(3000);
    expect(answer.status).toBe(413);
    expect(answer.code).toBe('GATEWAY_UPLOAD_TOO_LARGE');
    expect(answer.text.toLowerCase()).toContain('connection: close');
    expect(answer.closedAfterMs).not.toBeNull();
    expect(await until(() => spoolFolders().length === 0, 2000)).toBe(true);
  });

  it('a client that goes away mid-upload is counted as GATEWAY_CLIENT_CLOSED, not GATEWAY_INTERNAL, and its spool folder is removed', async () => {
    const before = await rejections();
    const client = await RawClient.open(port);
    client.write(createHead(form.payload.length));
    client.write(form.payload.subarray(0, 3000));
    expect(await until(() => spoolFolders().length === 1, 2000)).toBe(true);
    client.destroy();
    expect(await until(() => spoolFolders().length === 0, 2000)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the route's error handler has run and counted
    const after = await rejections();
    expect(after).toContain('portrait_farm_http_errors_total{code="GATEWAY_CLIENT_CLOSED"} 1');
    expect(after).not.toContain('GATEWAY_INTERNAL');
    expect(before).not.toContain('GATEWAY_CLIENT_CLOSED');
    const durations = (await gateway.context.metrics.registry.getSingleMetricAsString('portrait_farm_http_request_duration_seconds')) ?? '';
    expect(durations).not.toMatch(/status_code="5\d\d"/);
  });
});
