import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deliver } from './deliver.ts';
import { WebhookError } from './errors.ts';
import type { WebhookEvent } from './events.ts';
import { generateSecret } from './secret.ts';
import { verify } from './signature.ts';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Responder = (received: Received, response: ServerResponse) => void;

const secret = generateSecret();
const event: WebhookEvent = {
  type: 'job.succeeded',
  timestamp: '2026-11-22T03:00:00.000Z',
  data: { id: 'job_123', urls: { video: 'https://example.invalid/v.mp4' } },
};

let server: Server;
let base: string;
let port: number;
let received: Received[] = [];
let respond: Responder = (_r, response) => response.writeHead(204).end();

// Every TCP connection this process opens is published here; refused deliveries must open none.
let socketsOpened = 0;
const countSocket = () => {
  socketsOpened++;
};

beforeAll(async () => {
  subscribe('net.client.socket', countSocket);
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(entry);
      respond(entry, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});

afterEach(() => {
  received = [];
  respond = (_r, response) => response.writeHead(204).end();
  server.closeAllConnections();
});

afterAll(async () => {
  unsubscribe('net.client.socket', countSocket);
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function failure(promise: Promise<unknown>): Promise<WebhookError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebhookError);
  return error as WebhookError;
}

describe('deliver', () => {
  it('POSTs signed JSON that the receiver verifies', async () => {
    const before = socketsOpened;
    const result = await deliver(`${base}/hooks/farm?tenant=a`, event, { secret, allowLoopback: true, messageId: 'msg_1' });
    expect(result).toMatchObject({ status: 204, messageId: 'msg_1', address: '127.0.0.1' });
    expect(socketsOpened).toBe(before + 1);
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/hooks/farm?tenant=a');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual(event);
    expect(verify(secret, request?.headers ?? {}, request?.body ?? '')).toMatchObject({ id: 'msg_1' });
    expect(Math.abs(Number(request?.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
  });

  it('does not follow a 302 and names the redirect', async () => {
    respond = (_r, response) => response.writeHead(302, { location: `${base}/elsewhere` }).end();
    const error = await failure(deliver(`${base}/hook`, event, { secret, allowLoopback: true }));
    expect(error.code).toBe('WEBHOOK_REDIRECT');
    expect(error.status).toBe(302);
    expect(error.message).toContain('/elsewhere');
    expect(received.map((r) => r.url)).toEqual(['/hook']);
  });

  it('refuses loopback without allowLoopback, by IP and by name, before connecting', async () => {
    const before = socketsOpened;
    for (const url of [`${base}/hook`, `http://localhost:${port}/hook`, `http://[::1]:${port}/`, `http://[::ffff:127.0.0.1]:${port}/`]) {
      const error = await failure(deliver(url, event, { secret }));
      expect(error.code, url).toBe('WEBHOOK_BLOCKED_ADDRESS');
      expect(error.retryable).toBe(false);
      expect(error.message).toContain('allowLoopback');
    }
    expect(socketsOpened).toBe(before);
    expect(received).toHaveLength(0);
  });

  it('connects a host name to the address it checked', async () => {
    const result = await deliver(`http://localhost:${port}/named`, event, { secret, allowLoopback: true });
    expect(result.address).toBe('127.0.0.1');
    expect(received[0]?.headers.host).toBe(`localhost:${port}`);
  });

  it('refuses private, metadata and unspecified addresses before any connection attempt', async () => {
    const before = socketsOpened;
    const cases: Array<[string, boolean, string]> = [
      ['http://10.0.0.1/hook', false, 'private'],
      ['http://169.254.169.254/latest/meta-data/', false, 'metadata'],
      ['http://169.254.169.254/latest/meta-data/', true, 'metadata'],
      ['http://[fd00:ec2::254]/', true, 'metadata'],
      ['http://[::ffff:a9fe:a9fe]/', true, 'metadata'],
      ['http://100.64.1.1/', false, 'private'],
      ['http://192.168.0.1:8080/', false, 'private'],
      ['http://[fe80::1]/', true, 'link-local'],
      [`http://0.0.0.0:${port}/`, true, 'unspecified'],
    ];
    for (const [url, allowPrivate, category] of cases) {
      const error = await failure(deliver(url, event, { secret, allowPrivate, allowLoopback: true, timeoutMs: 1000 }));
      expect(error.code, url).toBe('WEBHOOK_BLOCKED_ADDRESS');
      expect(error.message, url).toContain(`a ${category} address`);
    }
    expect(socketsOpened).toBe(before);
    expect(received).toHaveLength(0);
  });

  it('succeeds on the 4th attempt after three failures, with the same message id', async () => {
    const statuses = [500, 503, 429];
    respond = (_r, response) => {
      const status = statuses.shift() ?? 200;
      response.writeHead(status, status === 429 ? { 'retry-after': '7' } : {}).end('ignored body');
    };
    const outcomes: Array<number | string> = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      try {
        outcomes.push((await deliver(`${base}/flaky`, event, { secret, allowLoopback: true, messageId: 'msg_retry' })).status);
      } catch (error) {
        expect(error).toBeInstanceOf(WebhookError);
        expect((error as WebhookError).retryable).toBe(true);
        outcomes.push(`${(error as WebhookError).code}:${(error as WebhookError).status}`);
        if ((error as WebhookError).status === 429) expect((error as WebhookError).retryAfterMs).toBe(7000);
      }
    }
    expect(outcomes).toEqual(['WEBHOOK_HTTP_STATUS:500', 'WEBHOOK_HTTP_STATUS:503', 'WEBHOOK_HTTP_STATUS:429', 200]);
    expect(received.map((r) => r.headers['webhook-id'])).toEqual(['msg_retry', 'msg_retry', 'msg_retry', 'msg_retry']);
    for (const request of received) expect(verify(secret, request.headers, request.body).id).toBe('msg_retry');
  });

  it('tells the caller to disable an endpoint that answers 410 Gone', async () => {
    respond = (_r, response) => response.writeHead(410).end();
    const error = await failure(deliver(`${base}/gone`, event, { secret, allowLoopback: true }));
    expect(error).toMatchObject({ code: 'WEBHOOK_HTTP_STATUS', status: 410, disableEndpoint: true, retryable: false });
  });

  it('times out when the endpoint never answers', async () => {
    respond = () => undefined;
    const started = performance.now();
    const error = await failure(deliver(`${base}/slow`, event, { secret, allowLoopback: true, timeoutMs: 300 }));
    expect(error.code).toBe('WEBHOOK_TIMEOUT');
    expect(error.retryable).toBe(true);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('reports a refused connection as retryable WEBHOOK_CONNECT', async () => {
    const error = await failure(deliver('http://127.0.0.1:9/closed', event, { secret, allowLoopback: true }));
    expect(error).toMatchObject({ code: 'WEBHOOK_CONNECT', retryable: true });
  });

  it('accepts only http and https URLs without credentials', async () => {
    for (const url of ['ftp://127.0.0.1/x', 'file:///etc/passwd', 'not a url', 'http://user:pw@127.0.0.1/']) {
      expect((await failure(deliver(url, event, { secret, allowLoopback: true }))).code, url).toBe('WEBHOOK_BAD_URL');
    }
    expect(received).toHaveLength(0);
  });
});
