import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { avatarKeys } from '@portrait-farm/avatars';
import { badFaceImages, badImages } from '@portrait-farm/test-support/bad-input';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from './build-gateway.ts';
import { auth, CONSENT, CONSENT_PART, GatewayHarness, KEY_B } from './testing/gateway-harness.ts';
import { portraitPng, wavTone } from './testing/media-fixtures.ts';
import { multipartBody } from './testing/multipart-body.ts';
import type { MultipartPart } from './testing/multipart-body.ts';

// The /v1/avatars routes through the real gateway (Redis, filesystem storage, the input-check thread with the face
// models), and jobs made from an avatar.

let harness: GatewayHarness;
let portrait: Buffer;
let server: Server;
let origin: string;
const speech = wavTone(1);

beforeAll(async () => {
  harness = await GatewayHarness.start();
  portrait = await portraitPng();
  server = createServer((request, response) => {
    const body = request.url === '/portrait.png' ? portrait : request.url === '/speech.wav' ? speech : null;
    if (body === null) response.writeHead(404).end();
    else response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await harness.close();
});

interface AvatarBody {
  id: string;
  createdAt: string;
  image: { width: number; height: number; format: string; size: number; sha256: string };
  face: { box: { x: number; y: number; width: number; height: number } | null; faceIndex: number | null; faceBox: object | null };
  modes: string[];
  urls: { self: string };
}

function avatarForm(parts: { image?: Buffer | null; face?: object; consent?: boolean } = {}): { payload: Buffer; headers: Record<string, string> } {
  const list: MultipartPart[] = [];
  if (parts.consent !== false) list.push(CONSENT_PART);
  if (parts.face !== undefined) list.push({ name: 'face', value: JSON.stringify(parts.face) });
  if (parts.image !== null) list.push({ name: 'image', value: parts.image ?? portrait, filename: 'portrait.png', contentType: 'image/png' });
  return multipartBody(list);
}

async function createAvatar(gateway: Gateway, key?: string, face?: object): Promise<AvatarBody> {
  const form = avatarForm(face === undefined ? {} : { face });
  const response = await gateway.app.inject({ method: 'POST', url: '/v1/avatars', headers: auth(key, form.headers), payload: form.payload });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<AvatarBody>();
}

function jobFormWithAvatar(avatar: string, extra: MultipartPart[] = []): { payload: Buffer; headers: Record<string, string> } {
  return multipartBody([CONSENT_PART, { name: 'avatar', value: avatar }, ...extra, { name: 'audio', value: speech, filename: 'speech.wav', contentType: 'audio/wav' }]);
}

describe('/v1/avatars', () => {
  it('stores a checked portrait under the tenant and answers 201 with its size, face and modes', async () => {
    const gateway = await harness.gateway();
    const form = avatarForm({ face: { faceIndex: 0 } });
    const response = await gateway.app.inject({ method: 'POST', url: '/v1/avatars', headers: auth(undefined, form.headers), payload: form.payload });
    expect(response.statusCode, response.body).toBe(201);
    const body = response.json<AvatarBody>();
    expect(body.id).toMatch(/^av_[0-9a-z]{26}$/);
    expect(response.headers['location']).toBe(`http://gateway.test/v1/avatars/${body.id}`);
    expect(body).toMatchObject({ image: { width: 320, height: 320, format: 'png', size: portrait.length }, face: { faceIndex: 0, faceBox: null }, modes: ['full', 'crop'] });
    const box = body.face.box!;
    expect(box.width).toBeGreaterThan(48);
    expect(box.x + box.width).toBeLessThanOrEqual(320);
    expect(await gateway.context.storage.list(avatarKeys.root('tenant-a', body.id))).toEqual([
      avatarKeys.record('tenant-a', body.id),
      avatarKeys.image('tenant-a', body.id, 'png'),
    ]);
    expect(await gateway.context.storage.get(avatarKeys.image('tenant-a', body.id, 'png'))).toEqual(portrait);

    const read = await gateway.app.inject({ method: 'GET', url: `/v1/avatars/${body.id}`, headers: auth() });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(body);
  });

  it('takes the portrait by URL (JSON) as jobs do', async () => {
    const gateway = await harness.gateway({ inputFetch: { allowHttp: true, allowLoopback: true } });
    const response = await gateway.app.inject({ method: 'POST', url: '/v1/avatars', headers: auth(), payload: { image: `${origin}/portrait.png`, consent: CONSENT } });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json<AvatarBody>().image.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('lists the tenant\'s avatars in pages, oldest first, and keeps other tenants\' avatars apart (404)', async () => {
    const gateway = await harness.gateway();
    const mine = [await createAvatar(gateway), await createAvatar(gateway), await createAvatar(gateway)];
    const theirs = await createAvatar(gateway, KEY_B);
    const first = await gateway.app.inject({ method: 'GET', url: '/v1/avatars?limit=2', headers: auth() });
    const page = first.json<{ avatars: AvatarBody[]; nextCursor: string | null; next: string | null }>();
    expect(page.avatars.map((a) => a.id)).toEqual([mine[0]!.id, mine[1]!.id]);
    expect(page.next).toBe(`http://gateway.test/v1/avatars?limit=2&cursor=${mine[1]!.id}`);
    const second = await gateway.app.inject({ method: 'GET', url: `/v1/avatars?limit=2&cursor=${page.nextCursor}`, headers: auth() });
    expect(second.json()).toMatchObject({ avatars: [{ id: mine[2]!.id }], nextCursor: null, next: null });

    for (const [method, url] of [['GET', `/v1/avatars/${theirs.id}`], ['DELETE', `/v1/avatars/${theirs.id}`]] as const) {
      const response = await gateway.app.inject({ method, url, headers: auth() });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ error: { code: 'GATEWAY_AVATAR_NOT_FOUND', message: expect.stringContaining(theirs.id) } });
    }
    const job = jobFormWithAvatar(theirs.id);
    const refused = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(undefined, job.headers), payload: job.payload });
    expect(refused.statusCode).toBe(404);
    expect(refused.json()).toMatchObject({ error: { code: 'GATEWAY_AVATAR_NOT_FOUND', message: expect.stringContaining(theirs.id) } });
    expect((await gateway.app.inject({ method: 'GET', url: `/v1/avatars/${theirs.id}`, headers: auth(KEY_B) })).statusCode).toBe(200);
  });

  it('answers an unknown or malformed id with 404 GATEWAY_AVATAR_NOT_FOUND', async () => {
    const gateway = await harness.gateway();
    for (const id of ['av_0000000000aaaaaaaaaaaaaaaa', 'job_0000000000aaaaaaaaaaaaaaaa', 'nothing']) {
      const response = await gateway.app.inject({ method: 'GET', url: `/v1/avatars/${id}`, headers: auth() });
      expect(response.statusCode, id).toBe(404);
      expect(response.json()).toMatchObject({ error: { code: 'GATEWAY_AVATAR_NOT_FOUND', message: expect.stringContaining(id) } });
    }
  });

  it('refuses bad portraits as jobs do (no face, damaged image, missing parts), storing nothing', async () => {
    const gateway = await harness.gateway();
    const images = { ...(await badImages()), ...(await badFaceImages()) };
    const cases: Array<[string, { payload: Buffer; headers: Record<string, string> }, number, string]> = [
      ['no face', avatarForm({ image: images['image: no face (gradient and noise)']!.bytes }), 422, 'GATEWAY_FACE_NOT_FOUND'],
      ['several faces', avatarForm({ image: images['image: many faces (4 portraits in a 2x2 grid)']!.bytes }), 422, 'GATEWAY_FACE_AMBIGUOUS'],
      ['truncated PNG', avatarForm({ image: images['image: truncated PNG']!.bytes }), 422, 'GATEWAY_BAD_IMAGE'],
      ['faceIndex beyond the faces', avatarForm({ face: { faceIndex: 3 } }), 422, 'GATEWAY_FACE_INDEX_OUT_OF_RANGE'],
      ['unknown face option', avatarForm({ face: { fps: 3 } }), 422, 'GATEWAY_BAD_OPTION'],
      ['no image', avatarForm({ image: null }), 400, 'GATEWAY_BAD_REQUEST'],
      ['no consent', avatarForm({ consent: false }), 422, 'GATEWAY_CONSENT_REQUIRED'],
      ['an audio part', multipartBody([CONSENT_PART, { name: 'audio', value: speech, filename: 'a.wav', contentType: 'audio/wav' }]), 400, 'GATEWAY_BAD_REQUEST'],
    ];
    for (const [name, form, status, code] of cases) {
      const response = await gateway.app.inject({ method: 'POST', url: '/v1/avatars', headers: auth(undefined, form.headers), payload: form.payload });
      expect({ name, status: response.statusCode, code: response.json<{ error: { code: string } }>().error.code }).toEqual({ name, status, code });
    }
    const audio = multipartBody([CONSENT_PART, { name: 'audio', value: speech, filename: 'a.wav', contentType: 'audio/wav' }]);
    const named = await gateway.app.inject({ method: 'POST', url: '/v1/avatars', headers: auth(undefined, audio.headers), payload: audio.payload });
    expect(named.json()).toMatchObject({ error: { message: 'Unknown file field "audio"; a create request takes the file image and the text fields consent and face, each at most once.' } });
    expect(await gateway.context.storage.list('avatars/')).toEqual([]);
  }, 60_000);

  it('deletes every stored object of an avatar; a job made from it keeps its own portrait', async () => {
    const gateway = await harness.gateway();
    const avatar = await createAvatar(gateway);
    const form = jobFormWithAvatar(avatar.id);
    const job = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(undefined, form.headers), payload: form.payload });
    expect(job.statusCode, job.body).toBe(202);
    const { storage } = gateway.context;
    await storage.put(avatarKeys.prepared('tenant-a', avatar.id, { name: 'pack', version: '1' }, 'full'), Buffer.from('prepared'));

    const deleted = await gateway.app.inject({ method: 'DELETE', url: `/v1/avatars/${avatar.id}`, headers: auth() });
    expect(deleted.statusCode).toBe(204);
    expect(await storage.list(avatarKeys.root('tenant-a', avatar.id))).toEqual([]);
    expect((await gateway.app.inject({ method: 'GET', url: `/v1/avatars/${avatar.id}`, headers: auth() })).statusCode).toBe(404);
    const record = (await gateway.context.jobs.getById(job.json<{ id: string }>().id))!;
    expect(await storage.get(record.inputs.image.key)).toEqual(portrait);
  });
});

describe('POST /v1/jobs with an avatar', () => {
  it('copies the avatar\'s portrait and face choice to the job and names the avatar on the record (multipart and JSON)', async () => {
    const gateway = await harness.gateway({ inputFetch: { allowHttp: true, allowLoopback: true } });
    const avatar = await createAvatar(gateway, undefined, { faceIndex: 0 });
    const form = jobFormWithAvatar(avatar.id, [{ name: 'options', value: JSON.stringify({ mode: 'crop', seed: 3 }) }]);
    const multipart = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(undefined, form.headers), payload: form.payload });
    const json = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(), payload: { avatar: avatar.id, audio: `${origin}/speech.wav`, consent: CONSENT, options: { mode: 'crop', seed: 3 } } });
    for (const response of [multipart, json]) {
      expect(response.statusCode, response.body).toBe(202);
      const id = response.json<{ id: string }>().id;
      const record = (await gateway.context.jobs.getById(id))!;
      expect(record.inputs.avatar).toEqual({ id: avatar.id });
      expect(record.inputs.image).toEqual({ key: `jobs/${id}/input/image.png`, size: portrait.length, sha256: avatar.image.sha256, contentType: 'image/png', width: 320, height: 320, format: 'png' });
      expect(record.options).toEqual({ fps: 25, mode: 'crop', seed: 3, faceIndex: 0 });
      expect(await gateway.context.storage.get(record.inputs.image.key)).toEqual(portrait);
      const view = await gateway.app.inject({ method: 'GET', url: `/v1/jobs/${id}`, headers: auth() });
      expect(view.json()).toMatchObject({ input: { avatar: avatar.id, image: { width: 320, height: 320 } } });
    }
  });

  it('refuses an unknown avatar naming it, both image and avatar, neither, a malformed id, and face options beside an avatar', async () => {
    const gateway = await harness.gateway();
    const avatar = await createAvatar(gateway);
    const unknown = 'av_0000000000aaaaaaaaaaaaaaaa';
    const audioPart: MultipartPart = { name: 'audio', value: speech, filename: 'speech.wav', contentType: 'audio/wav' };
    const imagePart: MultipartPart = { name: 'image', value: portrait, filename: 'portrait.png', contentType: 'image/png' };
    const cases: Array<[string, { payload: Buffer; headers: Record<string, string> }, number, string, RegExp]> = [
      ['unknown avatar', jobFormWithAvatar(unknown), 404, 'GATEWAY_AVATAR_NOT_FOUND', new RegExp(unknown)],
      ['image and avatar', jobFormWithAvatar(avatar.id, [imagePart]), 400, 'GATEWAY_BAD_REQUEST', /either "image" or "avatar"/],
      ['neither', multipartBody([CONSENT_PART, audioPart]), 400, 'GATEWAY_BAD_REQUEST', /"image", or "avatar"/],
      ['malformed id', jobFormWithAvatar('me'), 422, 'GATEWAY_BAD_OPTION', /avatar must be an avatar id/],
      ['faceIndex beside an avatar', jobFormWithAvatar(avatar.id, [{ name: 'options', value: '{"faceIndex":0}' }]), 422, 'GATEWAY_BAD_OPTION', /chosen when it was created/],
    ];
    for (const [name, form, status, code, says] of cases) {
      const response = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(undefined, form.headers), payload: form.payload });
      const error = response.json<{ error: { code: string; message: string } }>().error;
      expect({ name, status: response.statusCode, code: error.code }).toEqual({ name, status, code });
      expect(error.message, name).toMatch(says);
    }
    const json = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(), payload: { avatar: unknown, audio: 'https://example.com/a.wav', consent: CONSENT } });
    expect(json.statusCode).toBe(404);
    expect(json.json()).toMatchObject({ error: { code: 'GATEWAY_AVATAR_NOT_FOUND' } });
    expect(await gateway.context.storage.list('jobs/')).toEqual([]);
  });
});
