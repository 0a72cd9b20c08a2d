import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from './build-gateway.ts';
import { auth, CONSENT, GatewayHarness, jobForm, KEY_A } from './testing/gateway-harness.ts';

// What an independent schema-driven fuzzer and real clients found: every answer in the one error shape, 4xx for
// client mistakes, and the server doing what its document says.

let harness: GatewayHarness;
beforeAll(async () => {
  harness = await GatewayHarness.start();
});
afterAll(async () => {
  await harness.close();
});

/** A raw HTTP exchange with a listening gateway (methods and bodies inject() would not send). */
async function raw(gateway: Gateway, method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  if (!gateway.app.server.listening) await gateway.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = gateway.app.server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const errorCode = (body: string): string => (JSON.parse(body) as { error: { code: string } }).error.code;

describe('the HTTP contract', () => {
  it('answers a method a route does not take with 405 and Allow, also for methods Node knows but the farm does not use', async () => {
    const gateway = await harness.gateway();
    const del = await gateway.app.inject({ method: 'DELETE', url: '/v1/jobs', headers: auth() });
    expect(del.statusCode).toBe(405);
    expect(del.headers['allow']).toBe('POST, GET, HEAD');
    expect(del.json()).toMatchObject({ error: { code: 'GATEWAY_METHOD_NOT_ALLOWED' } });
    const query = await raw(gateway, 'QUERY', '/healthz', {});
    expect(query.status).toBe(405);
    expect(errorCode(query.body)).toBe('GATEWAY_METHOD_NOT_ALLOWED');
  });

  it('answers a URL it cannot decode in the one error shape', async () => {
    const gateway = await harness.gateway();
    const response = await raw(gateway, 'GET', '/v1/jobs/%E0%A4%A', { authorization: `Bearer ${KEY_A}` });
    expect(response.status).toBe(400);
    expect(errorCode(response.body)).toBe('GATEWAY_BAD_REQUEST');
  });

  it('answers broken multipart bodies with 400: no boundary, cut mid-file', async () => {
    const gateway = await harness.gateway();
    const noBoundary = await raw(gateway, 'POST', '/v1/jobs', { authorization: `Bearer ${KEY_A}`, 'content-type': 'multipart/form-data' }, Buffer.from('x'));
    expect(noBoundary.status).toBe(400);
    expect(errorCode(noBoundary.body)).toBe('GATEWAY_BAD_MULTIPART');
    const form = await jobForm();
    const cut = form.payload.subarray(0, Math.floor(form.payload.length * 0.6));
    const truncated = await raw(gateway, 'POST', '/v1/jobs', { ...auth(undefined, form.headers), 'content-length': String(cut.length) }, cut);
    expect(truncated.status).toBe(400);
    expect(errorCode(truncated.body)).toBe('GATEWAY_BAD_MULTIPART');
    expect(await gateway.context.storage.list('jobs/')).toEqual([]);
  });

  it('reads an empty cursor as the first page and empty multipart fields as absent', async () => {
    const gateway = await harness.gateway();
    const list = await gateway.app.inject({ method: 'GET', url: '/v1/jobs?cursor=', headers: auth() });
    expect(list.statusCode).toBe(200);
    const form = await jobForm({ options: '' });
    const created = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(undefined, form.headers), payload: form.payload });
    expect(created.statusCode).toBe(202);
    const job = await gateway.app.inject({ method: 'GET', url: `/v1/jobs/${created.json<{ id: string }>().id}`, headers: auth() });
    expect(job.json()).toMatchObject({ options: { fps: 25, mode: 'full', seed: 0 }, priority: 5 });
  });

  it('takes JSON values as typed: a string priority is refused', async () => {
    const gateway = await harness.gateway();
    const response = await gateway.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: auth(undefined, { 'content-type': 'application/json' }),
      payload: { consent: CONSENT, image: 'https://example.com/a.png', audio: 'https://example.com/a.wav', priority: '5' },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toEqual({ error: { code: 'GATEWAY_BAD_OPTION', message: 'priority must be an integer between 1 and 10. Received: "5"' } });
  });

  it('names a bad job id, query value or header in the one error shape', async () => {
    const gateway = await harness.gateway();
    const id = await gateway.app.inject({ method: 'GET', url: '/v1/jobs/nope', headers: auth() });
    expect(id.statusCode).toBe(404);
    expect(id.json()).toMatchObject({ error: { code: 'GATEWAY_JOB_NOT_FOUND' } });
    const limit = await gateway.app.inject({ method: 'GET', url: '/v1/jobs?limit=0', headers: auth() });
    expect(limit.json()).toEqual({ error: { code: 'GATEWAY_BAD_OPTION', message: 'limit must be an integer between 1 and 100. Received: 0' } });
  });

  it('answers an id past the router\'s 100 bytes of path parameter with the 400 each such route documents', async () => {
    const gateway = await harness.gateway();
    const long = encodeURIComponent('ṱ'.repeat(120));
    const document = (await gateway.app.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }>();
    for (const [method, path] of [['GET', '/v1/jobs/{id}'], ['GET', '/v1/jobs/{id}/manifest'], ['DELETE', '/v1/avatars/{avatarId}'], ['GET', '/v1/sessions/{sessionId}']] as const) {
      const answer = await gateway.app.inject({ method, url: path.replace(/\{\w+\}/, long), headers: auth() });
      expect([path, answer.statusCode, answer.json<{ error: { code: string } }>().error.code]).toEqual([path, 400, 'GATEWAY_BAD_REQUEST']);
      expect(Object.keys(document.paths[path]![method.toLowerCase()]!.responses), path).toContain('400');
    }
    const undocumented = Object.entries(document.paths)
      .filter(([path]) => path.includes('{'))
      .flatMap(([path, operations]) => Object.entries(operations).filter(([, operation]) => !('400' in operation.responses)).map(([method]) => `${method} ${path}`));
    expect(undocumented).toEqual([]);
  });

  it('serves byte ranges of filesystem files (players on iOS and Safari need them)', async () => {
    const gateway = await harness.gateway();
    const body = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
    await gateway.context.storage.put('jobs/job_x/output/video.mp4', body, { contentType: 'video/mp4' });
    const url = new URL(await gateway.context.storage.presignGet('jobs/job_x/output/video.mp4', { expiresSeconds: 60 }));
    const path = `${url.pathname}${url.search}`;
    const whole = await gateway.app.inject({ method: 'GET', url: path });
    expect(whole.statusCode).toBe(200);
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(whole.headers['content-type']).toBe('video/mp4');
    const part = await gateway.app.inject({ method: 'GET', url: path, headers: { range: 'bytes=100-199' } });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe('bytes 100-199/1000');
    expect(part.rawPayload).toEqual(body.subarray(100, 200));
    const tail = await gateway.app.inject({ method: 'GET', url: path, headers: { range: 'bytes=-10' } });
    expect(tail.rawPayload).toEqual(body.subarray(990));
    const past = await gateway.app.inject({ method: 'GET', url: path, headers: { range: 'bytes=5000-' } });
    expect(past.statusCode).toBe(416);
    expect(past.headers['content-range']).toBe('bytes */1000');
  });
});
