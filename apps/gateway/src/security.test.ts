// Issue 13, item 3: every way a caller may try to reach what is not theirs, or make the farm reach what it must not,
// is refused. Real redis-server, the real gateway (app.inject), real HTTP servers on loopback.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jobStorageKeys } from '@portrait-farm/jobs';
import { presignFileUrl } from '@portrait-farm/storage';
import { deliver, generateSecret, pinnedLookup, resolveEndpoint } from '@portrait-farm/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from './build-gateway.ts';
import { auth, BASE_URL, CONSENT, CONSENT_PART, GatewayHarness, jobForm, KEY_A, KEY_B } from './testing/gateway-harness.ts';
import type { JobForm } from './testing/gateway-harness.ts';
import { portraitPng, wavTone } from './testing/media-fixtures.ts';
import { multipartBody } from './testing/multipart-body.ts';

const PRESIGN_SECRET = 'test-presign-secret-0123456789';

let harness: GatewayHarness;
let server: Server;
let origin: string;
let gateway: Gateway;

beforeAll(async () => {
  harness = await GatewayHarness.start();
  const png = await portraitPng();
  const wav = wavTone(1);
  server = createServer((request, response) => {
    if (request.url === '/to-metadata') return void response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    if (request.url === '/to-loopback') return void response.writeHead(307, { location: 'http://127.0.0.1:6379/' }).end();
    if (request.url === '/portrait.png') return void response.writeHead(200).end(png);
    if (request.url === '/speech.wav') return void response.writeHead(200).end(wav);
    request.resume();
    request.on('end', () => response.writeHead(204).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  gateway = await harness.gateway({ inputFetch: { allowHttp: true } });
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await harness.close();
});

async function create(target: Gateway, form: JobForm = {}, key = KEY_A): Promise<{ statusCode: number; body: { id?: string; error?: { code: string; message: string } } }> {
  const { payload, headers } = await jobForm(form);
  const response = await target.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(key, headers), payload });
  return { statusCode: response.statusCode, body: response.json() };
}

async function createdId(target: Gateway, form: JobForm = {}, key = KEY_A): Promise<string> {
  const created = await create(target, form, key);
  expect(created.statusCode, JSON.stringify(created.body)).toBe(202);
  return created.body.id!;
}

describe('authentication', () => {
  const routes = (id: string): Array<[string, string]> => [
    ['GET', '/v1/jobs'],
    ['POST', '/v1/jobs'],
    ['GET', `/v1/jobs/${id}`],
    ['POST', `/v1/jobs/${id}/cancel`],
    ['DELETE', `/v1/jobs/${id}`],
    ['GET', `/v1/jobs/${id}/live.m3u8`],
    ['GET', `/v1/jobs/${id}/result`],
  ];
  const badHeaders: Array<[string, Record<string, string>]> = [
    ['no Authorization', {}],
    ['an unknown key', { authorization: 'Bearer key-of-nobody-000' }],
    ['a key of another case', { authorization: `Bearer ${KEY_A.toUpperCase()}` }],
    ['a key with a suffix', { authorization: `Bearer ${KEY_A}x` }],
    ['Basic instead of Bearer', { authorization: `Basic ${Buffer.from(`${KEY_A}:`).toString('base64')}` }],
    ['an empty Bearer', { authorization: 'Bearer ' }],
    ['two keys', { authorization: `Bearer ${KEY_A} ${KEY_B}` }],
  ];

  it('refuses every /v1/jobs route without a known API key, with 401 and WWW-Authenticate, touching nothing', async () => {
    const id = await createdId(gateway);
    for (const [method, url] of routes(id)) {
      for (const [what, headers] of badHeaders) {
        const response = await gateway.app.inject({ method: method as 'GET', url, headers });
        expect(response.statusCode, `${method} ${url} with ${what}`).toBe(401);
        expect(response.json()).toMatchObject({ error: { code: 'GATEWAY_UNAUTHORIZED' } });
        expect(response.headers['www-authenticate']).toBe('Bearer');
      }
    }
    expect((await gateway.context.jobs.getById(id))?.status).toBe('queued');
  });
});

describe('tenant isolation', () => {
  it("answers tenant B's reads, cancels, deletes, playlist and result of tenant A's job as 404, as a missing job", async () => {
    const id = await createdId(gateway);
    const missing = 'job_00000000000000000000000000';
    for (const target of [id, missing]) {
      for (const [method, url] of [
        ['GET', `/v1/jobs/${target}`],
        ['POST', `/v1/jobs/${target}/cancel`],
        ['DELETE', `/v1/jobs/${target}`],
        ['GET', `/v1/jobs/${target}/live.m3u8`],
        ['GET', `/v1/jobs/${target}/result`],
      ] as const) {
        const response = await gateway.app.inject({ method, url, headers: auth(KEY_B) });
        expect(response.statusCode, `${method} ${url}`).toBe(404);
        expect(response.json()).toEqual({ error: { code: 'GATEWAY_JOB_NOT_FOUND', message: `Job ${target} not found.` } });
      }
    }
    const list = await gateway.app.inject({ method: 'GET', url: '/v1/jobs?limit=100', headers: auth(KEY_B) });
    expect(list.json<{ jobs: Array<{ id: string }> }>().jobs.map((job) => job.id)).not.toContain(id);
    // Nothing of A's job changed, and its inputs are still there.
    const record = (await gateway.context.jobs.getById(id))!;
    expect(record.status).toBe('queued');
    expect(await gateway.context.storage.head(record.inputs.image.key)).not.toBeNull();
  });

  it("does not let B's Idempotency-Key replay A's job", async () => {
    const key = `shared-${Date.now()}`;
    const form = await jobForm();
    const a = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(KEY_A, { ...form.headers, 'idempotency-key': key }), payload: form.payload });
    const b = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(KEY_B, { ...form.headers, 'idempotency-key': key }), payload: form.payload });
    expect([a.statusCode, b.statusCode]).toEqual([202, 202]);
    expect(b.headers['idempotent-replayed']).toBe('false');
    expect(b.json<{ id: string }>().id).not.toBe(a.json<{ id: string }>().id);
  });
});

describe('presigned file URLs', () => {
  it('serve the file only with the right signature and before they expire', async () => {
    const id = await createdId(gateway);
    const key = jobStorageKeys.output(id);
    await gateway.context.storage.put(key, Buffer.from('the video'));
    const path = (url: string): string => url.replace(BASE_URL, '');
    const good = path(await gateway.context.storage.presignGet(key, { expiresSeconds: 60 }));
    expect((await gateway.app.inject({ method: 'GET', url: good })).body).toBe('the video');

    const expired = path(presignFileUrl(PRESIGN_SECRET, key, { expiresSeconds: 60, baseUrl: BASE_URL, now: Date.now() - 120_000 }));
    const query = new URL(good, BASE_URL).searchParams;
    const otherKey = jobStorageKeys.root(id) + 'input/image.png';
    const refused: Array<[string, string]> = [
      ['expired', expired],
      ['expiry pushed later with the old signature', good.replace(/expires=\d+/, `expires=${Number(query.get('expires')) + 3600}`)],
      ['signature of another key', good.replace(encodeURI(key), encodeURI(otherKey))],
      ['signed with another secret', path(presignFileUrl('another-secret-0123456789', key, { expiresSeconds: 60, baseUrl: BASE_URL }))],
      ['flipped signature', good.replace(/sig=(.)/, (_, c: string) => `sig=${c === 'A' ? 'B' : 'A'}`)],
      ['no signature', good.replace(/&sig=[^&]*/, '&sig=')],
    ];
    for (const [what, url] of refused) {
      const response = await gateway.app.inject({ method: 'GET', url });
      expect(response.statusCode, what).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, what).toBeLessThan(500);
      expect(response.body, what).not.toContain('the video');
    }
    expect((await gateway.app.inject({ method: 'GET', url: expired })).json()).toMatchObject({ error: { code: 'GATEWAY_BAD_SIGNATURE' } });
  });

  it('refuse path traversal in the key, whatever its encoding', async () => {
    for (const key of ['../../etc/passwd', 'jobs/../../../etc/passwd', 'jobs/%2e%2e/%2e%2e/etc/passwd', 'jobs/..%2f..%2fetc/passwd', '/etc/passwd']) {
      const url = `/v1/files/${key}?expires=${Math.floor(Date.now() / 1000) + 60}&sig=AAAA`;
      const response = await gateway.app.inject({ method: 'GET', url });
      expect(response.statusCode, key).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, key).toBeLessThan(500);
      expect(response.body, key).not.toContain('root:');
    }
    // Even a correct signature of a key with ".." is not made: storage refuses the key itself.
    expect(() => presignFileUrl(PRESIGN_SECRET, 'jobs/../etc/passwd', { expiresSeconds: 60 })).toThrow(/"\.\." segment/);
  });
});

describe('webhook URLs (checked at create, 422)', () => {
  const blocked = [
    ['loopback', 'http://127.0.0.1:6379/'],
    ['loopback by name', 'http://localhost:8080/hook'],
    ['loopback IPv6', 'http://[::1]:8080/hook'],
    ['loopback in IPv4-mapped IPv6', 'http://[::ffff:127.0.0.1]:8080/hook'],
    ['loopback in decimal', 'http://2130706433/hook'],
    ['loopback in short form', 'http://127.1/hook'],
    ['unspecified', 'http://0.0.0.0:8080/hook'],
    ['private 10/8', 'https://10.0.0.5/hook'],
    ['private 192.168/16', 'https://192.168.1.10/hook'],
    ['private 172.16/12', 'https://172.20.0.1/hook'],
    ['CGNAT', 'https://100.64.0.1/hook'],
    ['IPv6 ULA', 'https://[fd12:3456::1]/hook'],
    ['link-local', 'http://169.254.10.10/hook'],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/'],
    ['AWS IPv6 metadata', 'http://[fd00:ec2::254]/latest/meta-data/'],
    ['IPv6 link-local', 'http://[fe80::1]/hook'],
  ] as const;

  it('refuses loopback, private, link-local and metadata receivers with GATEWAY_WEBHOOK_URL_REFUSED', async () => {
    for (const [what, url] of blocked) {
      const created = await create(gateway, { webhook: { url } });
      expect(created.statusCode, `${what}: ${JSON.stringify(created.body)}`).toBe(422);
      expect(created.body.error?.code, what).toBe('GATEWAY_WEBHOOK_URL_REFUSED');
      expect(created.body.error?.message, what).toMatch(/^webhook\.url: .*(loopback|private|link-local|metadata|unspecified) address; webhooks are (never|not) sent there/);
    }
  });

  it('allows a loopback receiver only at the host:port the operator names; metadata stays refused even when named', async () => {
    const port = (server.address() as AddressInfo).port;
    const named = await harness.gateway({ inputFetch: { allowHttp: true }, webhooks: { allowHosts: [`127.0.0.1:${port}`, '169.254.169.254:80'] } });
    expect((await create(named, { webhook: { url: `${origin}/hook` } })).statusCode).toBe(202);
    const otherPort = await create(named, { webhook: { url: `http://127.0.0.1:${port + 1}/hook` } });
    expect(otherPort.statusCode).toBe(422);
    expect(otherPort.body.error?.message).toContain(`unless the operator names 127.0.0.1:${port + 1} in PORTRAIT_FARM_WEBHOOK_ALLOW_HOSTS`);
    const byName = await create(named, { webhook: { url: `http://localhost:${port}/hook` } });
    expect(byName.statusCode, 'localhost is another name than 127.0.0.1').toBe(422);
    const metadata = await create(named, { webhook: { url: 'http://169.254.169.254/latest/meta-data/' } });
    expect(metadata.body.error?.code).toBe('GATEWAY_WEBHOOK_URL_REFUSED');
    expect(metadata.body.error?.message).toContain('webhooks are never sent there');
  });
});

describe('input URLs', () => {
  const json = (image: string, audio: string): object => ({ consent: CONSENT, image, audio });
  async function createFromUrls(target: Gateway, image: string, audio: string): Promise<{ statusCode: number; error: { code: string; message: string } }> {
    const response = await target.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(), payload: json(image, audio) });
    return { statusCode: response.statusCode, error: response.json<{ error: { code: string; message: string } }>().error };
  }

  it('refuses loopback, private, link-local and metadata addresses', async () => {
    for (const host of ['127.0.0.1:6379', 'localhost', '[::1]', '10.1.2.3', '192.168.0.1', '169.254.169.254', '169.254.1.1', '[fd00:ec2::254]', '0.0.0.0', '[::ffff:169.254.169.254]']) {
      const result = await createFromUrls(gateway, `http://${host}/portrait.png`, `${origin}/speech.wav`);
      expect(result.statusCode, host).toBe(422);
      expect(result.error.code, host).toBe('GATEWAY_INPUT_URL_REFUSED');
      expect(result.error.message, host).toMatch(/^image: .*address; inputs are not fetched from there\.$/);
    }
  });

  it('does not follow a redirect, to metadata or loopback, even from an allowed server', async () => {
    const loopback = await harness.gateway({ inputFetch: { allowHttp: true, allowLoopback: true } });
    for (const path of ['/to-metadata', '/to-loopback']) {
      const result = await createFromUrls(loopback, `${origin}${path}`, `${origin}/speech.wav`);
      expect(result.statusCode, path).toBe(422);
      expect(result.error.code).toBe('GATEWAY_INPUT_FETCH_FAILED');
      expect(result.error.message).toMatch(/redirected \(30[27]\); redirects are not followed/);
    }
  });
});

describe('DNS rebinding', () => {
  it('checks every address a name resolves to, and connects only to the checked one (no second lookup)', async () => {
    // "localhost" resolves to loopback only: refused without the flag, whatever the name.
    await expect(resolveEndpoint(new URL('http://localhost/'), { allowLoopback: false, allowPrivate: false }, 2000)).rejects.toMatchObject({
      code: 'WEBHOOK_BLOCKED_ADDRESS',
    });
    // Allowed and pinned: the connection goes to the checked address even though its host name now resolves to
    // nothing at all (a rebinding answer would be ignored the same way).
    const port = (server.address() as AddressInfo).port;
    const endpoint = await resolveEndpoint(new URL(`http://localhost:${port}/`), { allowLoopback: true, allowPrivate: false }, 2000);
    expect(endpoint.address).toMatch(/^(127\.0\.0\.1|::1)$/);
    const status = await new Promise<number>((resolve, reject) => {
      import('node:http').then(({ request }) => {
        const req = request({ host: 'rebound.invalid', port, path: '/hook', method: 'POST', lookup: pinnedLookup({ address: '127.0.0.1', family: 4 }), agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.once('error', reject);
        req.end('{}');
      }, reject);
    });
    expect(status).toBe(204);
    // A delivery reports the address it checked and connected to.
    const delivered = await deliver(`http://127.0.0.1:${port}/hook`, { type: 'job.succeeded', timestamp: new Date().toISOString(), data: {} }, {
      secret: generateSecret(),
      allowedHosts: [`127.0.0.1:${port}`],
    });
    expect(delivered).toMatchObject({ status: 204, address: '127.0.0.1' });
  });
});

describe('path traversal into storage keys', () => {
  it('stores uploads under fixed names whatever the file names say', async () => {
    const png = await portraitPng();
    for (const [imageName, audioName] of [
      ['../../../etc/passwd', '../../x.wav'],
      ['..\\..\\boot.ini', 'a/../../../b.wav'],
      ['portrait.png\u0000.sh', 'speech.wav/../../../evil'],
      ['%2e%2e%2fportrait.png', '....//....//speech.mp3'],
    ]) {
      const { payload, headers } = multipartBody([
        CONSENT_PART,
        { name: 'image', value: png, filename: imageName, contentType: 'image/png' },
        { name: 'audio', value: wavTone(1), filename: audioName, contentType: 'audio/wav' },
      ]);
      const response = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(KEY_A, headers), payload });
      expect(response.statusCode, `${imageName} ${audioName}: ${response.body}`).toBe(202);
      const record = (await gateway.context.jobs.getById(response.json<{ id: string }>().id))!;
      const input = jobStorageKeys.inputPrefix(record.id);
      expect(record.inputs.image.key).toBe(`${input}image.png`);
      expect(record.inputs.audio.key).toMatch(new RegExp(`^${input}audio\\.[a-z0-9]{1,5}$`));
    }
  });

  it('refuses job ids that are not job ids before any lookup', async () => {
    for (const id of ['..%2F..%2Fetc', 'job_..%2F..%2Fx', '%2e%2e', 'job_00000000000000000000000000%00']) {
      const response = await gateway.app.inject({ method: 'GET', url: `/v1/jobs/${id}`, headers: auth() });
      expect(response.statusCode, id).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, id).toBeLessThan(500);
    }
  });
});

describe('injection through options and fields', () => {
  it('refuses unknown JSON fields, prototype keys, and CR/LF smuggled into strings', async () => {
    const bodies: Array<[string, unknown]> = [
      ['a tenantId field', { image: `${origin}/portrait.png`, audio: `${origin}/speech.wav`, tenantId: 'tenant-b' }],
      ['a status field in options', { image: `${origin}/portrait.png`, audio: `${origin}/speech.wav`, options: { status: 'succeeded' } }],
      ['CRLF in an enum option', { image: `${origin}/portrait.png`, audio: `${origin}/speech.wav`, options: { mode: 'crop\r\nX-Injected: 1' } }],
      ['CRLF in the webhook URL', { image: `${origin}/portrait.png`, audio: `${origin}/speech.wav`, webhook: { url: 'https://example.com/\r\nX-Injected: 1' } }],
      ['a webhook event that does not exist', { image: `${origin}/portrait.png`, audio: `${origin}/speech.wav`, webhook: { url: 'https://example.com/', events: ['job.anything'] } }],
    ];
    for (const [what, payload] of bodies) {
      const response = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(), payload: payload as object });
      expect(response.statusCode, `${what}: ${response.body}`).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, what).toBeLessThan(500);
      expect(response.headers['x-injected'], what).toBeUndefined();
    }
    const proto = await gateway.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: auth(undefined, { 'content-type': 'application/json' }),
      payload: `{"image":"${origin}/portrait.png","audio":"${origin}/speech.wav","options":{"__proto__":{"isAdmin":true}}}`,
    });
    expect(proto.statusCode).toBe(400);
    expect(proto.json()).toEqual({
      error: { code: 'GATEWAY_BAD_REQUEST', message: 'The JSON body has a __proto__ key (at options.__proto__), which the gateway refuses: remove it.' },
    });
    expect(({} as Record<string, unknown>)['isAdmin']).toBeUndefined();
    const constructor = await gateway.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: auth(undefined, { 'content-type': 'application/json' }),
      payload: '{"constructor":{"prototype":{"isAdmin":true}}}',
    });
    expect(constructor.json()).toMatchObject({ error: { code: 'GATEWAY_BAD_REQUEST', message: expect.stringMatching(/^The JSON body has a constructor.prototype key \(at constructor.prototype\)/) } });
    // Malformed and empty bodies still get Fastify's words.
    for (const [payload, says] of [['{"image":', /not valid JSON/], ['', /cannot be empty/]] as const) {
      const response = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(undefined, { 'content-type': 'application/json' }), payload });
      expect(response.statusCode).toBe(400);
      expect(response.json<{ error: { message: string } }>().error.message).toMatch(says);
    }
  });

  it('refuses CR/LF in headers it echoes (Idempotency-Key) and builds Location from the job id only', async () => {
    const form = await jobForm({ options: '{"mode":"crop"}' });
    const bad = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(KEY_A, { ...form.headers, 'idempotency-key': 'k\u0001x' }), payload: form.payload });
    expect(bad.statusCode).toBe(400);
    const good = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(KEY_A, form.headers), payload: form.payload });
    expect(good.headers.location).toMatch(/^http:\/\/gateway\.test\/v1\/jobs\/job_[0-9A-Za-z]+$/);
    // A multipart text field that is JSON with a CR/LF injection attempt is only ever data.
    const injected = await create(gateway, { options: '{"mode":"crop"}\r\nX-Injected: 1' });
    expect(injected.statusCode).toBeGreaterThanOrEqual(400);
    expect(injected.statusCode).toBeLessThan(500);
  });
});

describe('bodies over the limits', () => {
  it('answers 413 for a JSON body over 1 MiB and an upload over maxUploadBytes, storing nothing', async () => {
    const small = await harness.gateway({ limits: { maxUploadBytes: 4096 } });
    const json = await small.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: auth(undefined, { 'content-type': 'application/json' }),
      payload: JSON.stringify({ image: 'https://example.com/a.png', audio: 'https://example.com/a.wav', options: { pad: 'x'.repeat(1_100_000) } }),
    });
    expect(json.statusCode).toBe(413);
    expect(json.json()).toMatchObject({ error: { code: 'GATEWAY_UPLOAD_TOO_LARGE' } });
    const upload = await create(small, { audio: wavTone(2) });
    expect(upload.statusCode).toBe(413);
    expect(upload.body.error?.code).toBe('GATEWAY_UPLOAD_TOO_LARGE');
    expect(await small.context.storage.list('jobs/')).toEqual([]);
    expect((await small.app.inject({ method: 'GET', url: '/v1/jobs', headers: auth() })).json<{ jobs: unknown[] }>().jobs).toEqual([]);
  });
});
