import { JobStore } from '@portrait-farm/jobs';
import { QUEUE_NAMES, readQueueCounts } from '@portrait-farm/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIST_JOBS_SCHEMA } from './route-schemas.ts';
import { portraitPng, wavTone } from './testing/media-fixtures.ts';
import { multipartBody } from './testing/multipart-body.ts';
import { auth, CONSENT, GatewayHarness, jobForm, KEY_B } from './testing/gateway-harness.ts';

let harness: GatewayHarness;

beforeAll(async () => {
  harness = await GatewayHarness.start();
});

afterAll(async () => {
  await harness.close();
});

describe('POST /v1/jobs (multipart)', () => {
  it('stores the inputs, records the job, enqueues prepare and answers 202 with urls', async () => {
    const gateway = await harness.gateway();
    const form = await jobForm({ options: { fps: 30, seed: 7, controls: { emotion: 'happy', gaze: 'camera' } }, priority: 8, consent: { attestation: true, statement: 'I am the person shown.' } });
    const response = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(undefined, form.headers), payload: form.payload });
    expect(response.statusCode).toBe(202);
    const body = response.json<{ id: string; status: string; urls: Record<string, string> }>();
    expect(body.status).toBe('queued');
    expect(body.urls).toEqual({
      self: `http://gateway.test/v1/jobs/${body.id}`,
      cancel: `http://gateway.test/v1/jobs/${body.id}/cancel`,
      result: `http://gateway.test/v1/jobs/${body.id}/result`,
      live: `http://gateway.test/v1/jobs/${body.id}/live.m3u8`,
      manifest: `http://gateway.test/v1/jobs/${body.id}/manifest`,
    });
    expect(response.headers['location']).toBe(body.urls['self']);

    const { jobs, queues, storage } = gateway.context;
    const record = (await jobs.getById(body.id))!;
    expect(record.options).toEqual({ fps: 30, mode: 'full', seed: 7, controls: { emotion: 'happy', gaze: 'camera' } });
    expect(record.priority).toBe(8);
    expect(record.consent).toEqual({ attestation: true, statement: 'I am the person shown.', at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(record.inputs.image).toMatchObject({ key: `jobs/${body.id}/input/image.png`, width: 320, height: 320, format: 'png' });
    expect(record.inputs.audio.key).toBe(`jobs/${body.id}/input/audio.wav`);
    expect(record.inputs.audio.durationSeconds).toBeCloseTo(1, 2);
    expect(await storage.get(record.inputs.audio.key)).toEqual(wavTone(1));
    const prepare = await queues.queue(QUEUE_NAMES.prepare).getJob(`${body.id}-prepare`);
    expect(prepare?.data).toEqual({ jobId: body.id, tenantId: 'tenant-a' });
    expect(prepare?.priority).toBe(3);

    const view = await gateway.app.inject({ method: 'GET', url: `/v1/jobs/${body.id}`, headers: auth() });
    expect(view.json()).toMatchObject({ id: body.id, status: 'queued', progress: { segmentsDone: 0 }, error: null, output: null, consent: { attestation: true, statement: 'I am the person shown.' } });
  });

  it('refuses a job without a consent attestation (422 GATEWAY_CONSENT_REQUIRED), multipart and JSON, storing nothing', async () => {
    const gateway = await harness.gateway();
    for (const consent of [null, { attestation: false }, '{"attestation":"yes"}', { attestation: true, statement: 'x'.repeat(501) }]) {
      const form = await jobForm({ consent });
      const response = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(undefined, form.headers), payload: form.payload });
      expect(response.statusCode, JSON.stringify(consent)).toBe(422);
      expect(response.json()).toMatchObject({ error: { code: 'GATEWAY_CONSENT_REQUIRED', message: expect.stringMatching(/right to animate this portrait/) } });
    }
    const json = await gateway.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: auth(undefined, { 'content-type': 'application/json' }),
      payload: JSON.stringify({ image: 'https://example.com/a.png', audio: 'https://example.com/a.wav' }),
    });
    expect(json.statusCode).toBe(422);
    expect(json.json()).toMatchObject({ error: { code: 'GATEWAY_CONSENT_REQUIRED', message: expect.stringMatching(/^consent is missing/) } });
  });

  it('returns the same job for a retried create with the same Idempotency-Key, and 409 for a different body', async () => {
    const gateway = await harness.gateway();
    const form = await jobForm({ options: { seed: 1 } });
    const headers = auth(undefined, { ...form.headers, 'idempotency-key': 'order-17' });
    const first = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers, payload: form.payload });
    const second = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers, payload: form.payload });
    expect(first.statusCode).toBe(202);
    expect(second.statusCode).toBe(202);
    expect(second.json<{ id: string }>().id).toBe(first.json<{ id: string }>().id);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect((await readQueueCounts(gateway.context.queues, 'prepare')).waiting).toBe(1);

    const other = await jobForm({ options: { seed: 2 } });
    const conflict = await gateway.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: auth(undefined, { ...other.headers, 'idempotency-key': 'order-17' }),
      payload: other.payload,
    });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toMatchObject({ error: { code: 'GATEWAY_IDEMPOTENCY_CONFLICT' } });
    expect(conflict.json<{ error: { message: string } }>().error.message).toContain(first.json<{ id: string }>().id);
    // Only the first request's inputs are in storage.
    expect(await gateway.context.storage.list('jobs/')).toHaveLength(2);
  });

  it('creates one job when two requests with the same Idempotency-Key race', async () => {
    const gateway = await harness.gateway();
    const form = await jobForm({ options: { seed: 3 } });
    const headers = auth(undefined, { ...form.headers, 'idempotency-key': 'race-1' });
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers, payload: form.payload })),
    );
    expect(answers.map((a) => a.statusCode)).toEqual([202, 202, 202, 202]);
    expect(new Set(answers.map((a) => a.json<{ id: string }>().id)).size).toBe(1);
    expect(await gateway.context.storage.list('jobs/')).toHaveLength(2);
    expect((await readQueueCounts(gateway.context.queues, 'prepare')).waiting).toBe(1);
  });

  it('keeps tenants apart: another tenant gets 404 and does not see the job in its list', async () => {
    const gateway = await harness.gateway();
    const form = await jobForm();
    const created = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(undefined, form.headers), payload: form.payload });
    const id = created.json<{ id: string }>().id;
    for (const url of [`/v1/jobs/${id}`, `/v1/jobs/${id}/live.m3u8`, `/v1/jobs/${id}/result`]) {
      const response = await gateway.app.inject({ method: 'GET', url, headers: auth(KEY_B) });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ error: { code: 'GATEWAY_JOB_NOT_FOUND' } });
    }
    expect((await gateway.app.inject({ method: 'POST', url: `/v1/jobs/${id}/cancel`, headers: auth(KEY_B) })).statusCode).toBe(404);
    const list = await gateway.app.inject({ method: 'GET', url: '/v1/jobs', headers: auth(KEY_B) });
    expect(list.json()).toEqual({ jobs: [], nextCursor: null, next: null });
    const own = await gateway.app.inject({ method: 'GET', url: '/v1/jobs', headers: auth() });
    expect(own.json<{ jobs: Array<{ id: string }> }>().jobs.map((j) => j.id)).toEqual([id]);
    expect(await new JobStore({ redis: gateway.context.redis, prefix: gateway.context.config.prefix }).activeCount('tenant-a')).toBe(1);
  });

  it('refuses requests without a known API key', async () => {
    const gateway = await harness.gateway();
    const none = await gateway.app.inject({ method: 'GET', url: '/v1/jobs' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    const wrong = await gateway.app.inject({ method: 'GET', url: '/v1/jobs', headers: auth('not-a-key-at-all') });
    expect(wrong.json()).toMatchObject({ error: { code: 'GATEWAY_UNAUTHORIZED' } });
  });

  it('pages through the list with a cursor', async () => {
    const gateway = await harness.gateway();
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const form = await jobForm({ image: await portraitPng(320 + i) });
      const created = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(undefined, form.headers), payload: form.payload });
      ids.unshift(created.json<{ id: string }>().id);
    }
    const first = await gateway.app.inject({ method: 'GET', url: '/v1/jobs?limit=2', headers: auth() });
    const page1 = first.json<{ jobs: Array<{ id: string }>; nextCursor: string; next: string }>();
    expect(page1.jobs.map((j) => j.id)).toEqual(ids.slice(0, 2));
    const second = await gateway.app.inject({ method: 'GET', url: `/v1/jobs?limit=2&cursor=${page1.nextCursor}`, headers: auth() });
    expect(second.json()).toMatchObject({ jobs: [{ id: ids[2] }], nextCursor: null });
    const bad = await gateway.app.inject({ method: 'GET', url: '/v1/jobs?limit=500', headers: auth() });
    expect(bad.statusCode).toBe(422);
  });
});

describe('POST /v1/jobs: messages that name the real problem (issue 13, found items 6 and 7)', () => {
  const post = async (gateway: Awaited<ReturnType<GatewayHarness['gateway']>>, form: { payload: Buffer | string; headers: Record<string, string> }) => {
    const response = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(undefined, form.headers), payload: form.payload });
    return { status: response.statusCode, ...response.json<{ error: { code: string; message: string } }>().error };
  };

  it('says an image sent as a text field must be a file', async () => {
    const gateway = await harness.gateway();
    const form = multipartBody([{ name: 'image', value: 'portrait.jpg' }, { name: 'audio', value: wavTone(1), filename: 'a.wav' }]);
    expect(await post(gateway, form)).toMatchObject({ status: 400, code: 'GATEWAY_BAD_REQUEST', message: expect.stringMatching(/"image" must be a file part .*not a text field/) });
  });

  it('calls an options field over the field limit too large, not "not JSON"', async () => {
    const gateway = await harness.gateway();
    const form = await jobForm({ options: JSON.stringify({ controls: { emotion: 'x'.repeat(1024 * 1024) } }) });
    expect(await post(gateway, form)).toMatchObject({ status: 413, code: 'GATEWAY_UPLOAD_TOO_LARGE', message: expect.stringMatching(/multipart field "options" is larger than/) });
  });

  it('shows a number too large for a double as such, not as null', async () => {
    const gateway = await harness.gateway();
    const form = await jobForm({ options: '{"seed": 1e999}' });
    expect(await post(gateway, form)).toMatchObject({ status: 422, message: 'options.seed must be an integer between 0 and 4294967295. Received: Infinity (a number beyond the range of a double)' });
  });

  it('takes JSON parts sent with Content-Type application/json as the document describes them', async () => {
    const gateway = await harness.gateway({ webhooks: { allowHosts: ['hooks.example.com:443'] } });
    const json = (name: string, value: unknown) => ({ name, value: JSON.stringify(value), contentType: 'application/json' });
    const form = multipartBody([
      json('consent', { attestation: true }),
      json('options', { fps: 25 }),
      json('webhook', { url: 'https://hooks.example.com/pf' }),
      { name: 'image', value: await portraitPng(), filename: 'portrait.png', contentType: 'image/png' },
      { name: 'audio', value: wavTone(1), filename: 'speech.wav', contentType: 'audio/wav' },
    ]);
    const response = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(undefined, form.headers), payload: form.payload });
    expect(response.statusCode, response.body).toBe(202);
    const broken = multipartBody([{ name: 'options', value: '{"fps": ', contentType: 'application/json' }]);
    const refused = await post(gateway, broken);
    expect(refused).toMatchObject({ status: 400, code: 'GATEWAY_BAD_REQUEST', message: expect.stringMatching(/application\/json is not valid JSON/) });
  });

  it('names a __proto__ key in the options field instead of calling it bad JSON', async () => {
    const gateway = await harness.gateway();
    const form = await jobForm({ options: '{"fps": 25, "__proto__": {"fps": 61}}' });
    const answer = await post(gateway, form);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(answer.message).toMatch(/__proto__/);
    expect(answer.message).not.toMatch(/not valid JSON|must be JSON/);
  });

  it('refuses an array as an input URL, as the document says (a string)', async () => {
    const gateway = await harness.gateway({ inputFetch: { allowHttp: true, allowLoopback: true } });
    const answer = await post(gateway, { payload: JSON.stringify({ consent: CONSENT, image: ['https://example.com/a.png'], audio: 'https://example.com/a.wav' }), headers: { 'content-type': 'application/json' } });
    expect(answer).toMatchObject({ status: 422, code: 'GATEWAY_BAD_OPTION', message: 'image must be a string. Received: ["https://example.com/a.png"]' });
  });

  it('answers a malformed list cursor with a code the document lists', async () => {
    const gateway = await harness.gateway();
    const response = await gateway.app.inject({ method: 'GET', url: '/v1/jobs?cursor=zzz', headers: auth() });
    const documented = (LIST_JOBS_SCHEMA.response as Record<string, unknown>)[String(response.statusCode)];
    expect(documented, `status ${response.statusCode}: ${response.body}`).toBeDefined();
    expect(response.json<{ error: { message: string } }>().error.message).toMatch(/cursor/);
  });
});
