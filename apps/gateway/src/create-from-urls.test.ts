import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portraitPng, wavTone } from './testing/media-fixtures.ts';
import { auth, CONSENT, GatewayHarness } from './testing/gateway-harness.ts';

let harness: GatewayHarness;
let server: Server;
let origin: string;
const files = new Map<string, Buffer>();

beforeAll(async () => {
  harness = await GatewayHarness.start();
  files.set('/portrait.png', await portraitPng());
  files.set('/speech.wav', wavTone(1.25));
  server = createServer((request, response) => {
    if (request.url === '/redirect') {
      response.writeHead(302, { location: '/portrait.png' }).end();
      return;
    }
    const body = files.get(request.url ?? '');
    if (body === undefined) response.writeHead(404).end();
    else response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await harness.close();
});

const loopbackAllowed = { inputFetch: { allowHttp: true, allowLoopback: true } };

describe('POST /v1/jobs (JSON with input URLs)', () => {
  it('downloads the inputs, checks and stores them', async () => {
    const gateway = await harness.gateway(loopbackAllowed);
    const response = await gateway.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: auth(),
      payload: { consent: CONSENT, image: `${origin}/portrait.png`, audio: `${origin}/speech.wav`, options: { mode: 'crop' }, priority: 2 },
    });
    expect(response.statusCode).toBe(202);
    const record = (await gateway.context.jobs.getById(response.json<{ id: string }>().id))!;
    expect(record.inputs.image).toMatchObject({ width: 320, height: 320, format: 'png', size: files.get('/portrait.png')!.length });
    expect(record.inputs.audio.durationSeconds).toBeCloseTo(1.25, 2);
    expect(await gateway.context.storage.get(record.inputs.image.key)).toEqual(files.get('/portrait.png'));
    expect(record.options.mode).toBe('crop');
  });

  it('refuses loopback URLs unless the operator allows them, http URLs, redirects and missing files', async () => {
    const strict = await harness.gateway();
    const https = await strict.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: auth(),
      payload: { consent: CONSENT, image: `https://127.0.0.1:1/portrait.png`, audio: `https://127.0.0.1:1/speech.wav` },
    });
    expect(https.statusCode).toBe(422);
    expect(https.json()).toMatchObject({ error: { code: 'GATEWAY_INPUT_URL_REFUSED' } });
    expect(https.json<{ error: { message: string } }>().error.message).toContain('loopback');
    const http = await strict.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(), payload: { consent: CONSENT, image: `${origin}/portrait.png`, audio: `${origin}/speech.wav` } });
    expect(http.json<{ error: { message: string } }>().error.message).toBe('image must be an https URL. Received: http:');
    const ftp = await (await harness.gateway(loopbackAllowed)).app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(), payload: { consent: CONSENT, image: 'ftp://example.com/p.png', audio: `${origin}/speech.wav` } });
    expect(ftp.json<{ error: { message: string } }>().error.message).toBe('image must be an http(s) URL. Received: ftp:');
    const metadata = await strict.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: auth(),
      payload: { consent: CONSENT, image: 'https://169.254.169.254/latest/meta-data', audio: `https://example.com/a.wav` },
    });
    expect(metadata.json<{ error: { message: string } }>().error.message).toContain('metadata address');

    const relaxed = await harness.gateway(loopbackAllowed);
    const redirect = await relaxed.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(), payload: { consent: CONSENT, image: `${origin}/redirect`, audio: `${origin}/speech.wav` } });
    expect(redirect.json()).toMatchObject({ error: { code: 'GATEWAY_INPUT_FETCH_FAILED' } });
    expect(redirect.json<{ error: { message: string } }>().error.message).toContain('redirects are not followed');
    const missing = await relaxed.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(), payload: { consent: CONSENT, image: `${origin}/nothing.png`, audio: `${origin}/speech.wav` } });
    expect(missing.json<{ error: { message: string } }>().error.message).toContain('answered 404');
    const big = await harness.gateway({ ...loopbackAllowed, limits: { maxUploadBytes: 20_000 } });
    const tooLarge = await big.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(), payload: { consent: CONSENT, image: `${origin}/portrait.png`, audio: `${origin}/speech.wav` } });
    expect(tooLarge.statusCode).toBe(413);
  });

  it('answers a retried JSON create from the Idempotency-Key without downloading again', async () => {
    const gateway = await harness.gateway(loopbackAllowed);
    const payload = { consent: CONSENT, image: `${origin}/portrait.png`, audio: `${origin}/speech.wav` };
    const headers = auth(undefined, { 'idempotency-key': 'json-1' });
    const first = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers, payload });
    files.delete('/speech.wav'); // a second download would now fail
    const second = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers, payload });
    files.set('/speech.wav', wavTone(1.25));
    expect(second.statusCode).toBe(202);
    expect(second.json<{ id: string }>().id).toBe(first.json<{ id: string }>().id);
  });
});
