import type { Redis } from 'ioredis';
import { registerSessionHost, type RegisteredHost } from '@portrait-farm/sessions';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from './build-gateway.ts';
import { auth, CONSENT_PART, GatewayHarness, KEY_B } from './testing/gateway-harness.ts';
import { portraitPng } from './testing/media-fixtures.ts';
import { multipartBody } from './testing/multipart-body.ts';

// POST/GET/DELETE /v1/sessions and GET /v1/usage through the real gateway and Redis. The workers' session slots are
// offered in the registry as a worker offers them (registerSessionHost); streaming itself is test/e2e/live-sessions.

let harness: GatewayHarness;
let gateway: Gateway;
let avatar: string;
const hosts: RegisteredHost[] = [];

beforeAll(async () => {
  harness = await GatewayHarness.start();
  gateway = await harness.gateway({ faceCheck: false, sessions: { maxSeconds: 600, idleSeconds: 30, connectSeconds: 20 } });
  const form = multipartBody([CONSENT_PART, { name: 'image', value: await portraitPng(), filename: 'portrait.png', contentType: 'image/png' }]);
  const created = await gateway.app.inject({ method: 'POST', url: '/v1/avatars', headers: auth(undefined, form.headers), payload: form.payload });
  expect(created.statusCode, created.body).toBe(201);
  avatar = created.json<{ id: string }>().id;
}, 60_000);

afterEach(async () => {
  for (const host of hosts.splice(0)) await host.stop();
});

afterAll(async () => {
  await harness.close();
});

async function offer(hostId: string, capacity: number): Promise<void> {
  hosts.push(await registerSessionHost(gateway.context.redis, gateway.context.config.prefix, { hostId, url: `ws://${hostId}.test:8090`, capacity }));
}

const create = (body: object, key?: string) => gateway.app.inject({ method: 'POST', url: '/v1/sessions', headers: auth(key), payload: body });
interface SessionBody {
  id: string;
  status: string;
  endReason: string | null;
  secondsStreamed: number;
  expiresAt: string;
  options: Record<string, unknown>;
  stream: { url: string; protocol: string };
}

describe('POST /v1/sessions', () => {
  it('places a session on a worker with room and returns its stream URL with a one-time token, its options resolved', async () => {
    await offer('w1', 1);
    const response = await create({ avatar, inputSampleRate: 24000, latency: 'low', controls: { emotion: 'happy' }, seed: 9 });
    expect(response.statusCode, response.body).toBe(201);
    const body = response.json<SessionBody>();
    expect(body).toMatchObject({
      status: 'waiting',
      endReason: null,
      secondsStreamed: 0,
      options: { inputSampleRate: 24000, latency: 'low', mode: 'crop', fps: 25, seed: 9, controls: { emotion: 'happy' }, idleTimeoutSeconds: 30, maxDurationSeconds: 600 },
      stream: { protocol: 'portrait-farm-live/1' },
    });
    // The stream goes through the gateway (its public URL), which forwards it to the worker's internal address.
    expect(body.stream.url).toMatch(new RegExp(`^ws://gateway\\.test/v1/sessions/${body.id}/stream\\?token=[A-Za-z0-9_-]{43}$`));
    expect(response.headers['location']).toBe(`http://gateway.test/v1/sessions/${body.id}`);
    expect(Date.parse(body.expiresAt) - Date.now()).toBeGreaterThan(15_000);
    const read = await gateway.app.inject({ method: 'GET', url: `/v1/sessions/${body.id}`, headers: auth() });
    expect(read.json()).toMatchObject({ id: body.id, status: 'waiting' });
    expect(read.json()).not.toHaveProperty('stream');
  });

  it('answers 503 GATEWAY_NO_SESSION_CAPACITY with Retry-After when no worker has room, and places again once a session ended', async () => {
    const none = await create({ avatar });
    expect(none.statusCode).toBe(503);
    expect(none.json()).toMatchObject({ error: { code: 'GATEWAY_NO_SESSION_CAPACITY' } });
    expect(none.headers['retry-after']).toBe('5');
    await offer('w2', 1);
    const first = await create({ avatar });
    expect(first.statusCode).toBe(201);
    const full = await create({ avatar });
    expect(full.statusCode).toBe(503);
    expect(full.json<{ error: { message: string } }>().error.message).toContain('slots are taken');
    // The waiting session frees its slot when its token expires (20 s here) at the latest.
    expect(Number(full.headers['retry-after'])).toBeGreaterThanOrEqual(19);
    expect(Number(full.headers['retry-after'])).toBeLessThanOrEqual(20);
    const ended = await gateway.app.inject({ method: 'DELETE', url: `/v1/sessions/${first.json<SessionBody>().id}`, headers: auth() });
    expect(ended.json()).toMatchObject({ status: 'ended', endReason: 'deleted' });
    expect((await create({ avatar })).statusCode).toBe(201);
  });

  it('answers 429 GATEWAY_SESSION_LIMIT with Retry-After to a tenant at PORTRAIT_FARM_SESSIONS_PER_TENANT, whatever room the workers have', async () => {
    const limited = await harness.gateway({ faceCheck: false, sessions: { connectSeconds: 20, perTenant: 2 } });
    const form = multipartBody([CONSENT_PART, { name: 'image', value: await portraitPng(), filename: 'portrait.png', contentType: 'image/png' }]);
    const own = (await limited.app.inject({ method: 'POST', url: '/v1/avatars', headers: auth(undefined, form.headers), payload: form.payload })).json<{ id: string }>().id;
    hosts.push(await registerSessionHost(limited.context.redis, limited.context.config.prefix, { hostId: 'roomy', url: 'ws://roomy.test:8090', capacity: 8 }));
    const post = (key?: string) => limited.app.inject({ method: 'POST', url: '/v1/sessions', headers: auth(key), payload: { avatar: own } });
    const first = await post();
    expect((await post()).statusCode).toBe(201);
    const refused = await post();
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ error: { code: 'GATEWAY_SESSION_LIMIT' } });
    expect(refused.json<{ error: { message: string } }>().error.message).toContain('PORTRAIT_FARM_SESSIONS_PER_TENANT');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(19);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(20);
    await limited.app.inject({ method: 'DELETE', url: `/v1/sessions/${first.json<SessionBody>().id}`, headers: auth() });
    expect((await post()).statusCode).toBe(201);
  });

  it('gives the last slot to one of two concurrent creates', async () => {
    await offer('w3', 1);
    const answers = await Promise.all([create({ avatar }), create({ avatar })]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 503]);
  });

  it('refuses what sessions do not support, naming it', async () => {
    await offer('w4', 4);
    const cases: Array<[object, number, string, string]> = [
      [{ avatar, fps: 30 }, 422, 'GATEWAY_BAD_OPTION', 'fps'],
      [{ avatar, inputSampleRate: 44100 }, 422, 'GATEWAY_BAD_OPTION', 'inputSampleRate'],
      [{ avatar, latency: 'instant' }, 422, 'GATEWAY_BAD_OPTION', 'latency'],
      [{ avatar, size: 256 }, 400, 'GATEWAY_BAD_REQUEST', 'size'],
      [{ avatar, maxDurationSeconds: 601 }, 422, 'GATEWAY_BAD_OPTION', 'maxDurationSeconds'],
      [{ avatar, idleTimeoutSeconds: 0 }, 422, 'GATEWAY_BAD_OPTION', 'idleTimeoutSeconds'],
      [{ avatar, controls: { motionIntensity: 9 } }, 422, 'GATEWAY_BAD_OPTION', 'motionIntensity'],
      [{}, 422, 'GATEWAY_BAD_OPTION', 'avatar'],
      [{ avatar: 'av_00000000000000000000000000' }, 404, 'GATEWAY_AVATAR_NOT_FOUND', 'av_00000000000000000000000000'],
    ];
    for (const [body, status, code, named] of cases) {
      const response = await create(body);
      expect(response.statusCode, JSON.stringify(body)).toBe(status);
      expect(response.json<{ error: { code: string; message: string } }>().error.code, JSON.stringify(body)).toBe(code);
      expect(response.json<{ error: { message: string } }>().error.message, JSON.stringify(body)).toContain(named);
    }
  });
});

describe('POST /v1/sessions with livekit', () => {
  it('places a LiveKit session, announces its id to the workers (no token), and never shows the avatar\'s token', async () => {
    await offer('w8', 1);
    // The harness's Redis is a standalone server.
    const subscriber = (gateway.context.redis as Redis).duplicate();
    try {
      const heard = new Promise<string>((resolve) => subscriber.on('message', (_channel: string, message: string) => resolve(message)));
      await subscriber.subscribe(`${gateway.context.config.prefix}:live:start`);
      const livekit = { url: 'wss://lk.example', token: 'aaa.bbb.ccc', agent_identity: 'agent-1' };
      const response = await create({ avatar, latency: 'low', livekit });
      expect(response.statusCode, response.body).toBe(201);
      const body = response.json<SessionBody>();
      expect(body.options['livekit']).toEqual({ url: 'wss://lk.example', agent_identity: 'agent-1' });
      expect(response.body).not.toContain('aaa.bbb.ccc');
      expect(await heard).toBe(body.id);
      const read = await gateway.app.inject({ method: 'GET', url: `/v1/sessions/${body.id}`, headers: auth() });
      expect(read.json<SessionBody>().options['livekit']).toEqual({ url: 'wss://lk.example', agent_identity: 'agent-1' });
    } finally {
      subscriber.disconnect();
    }
  });

  it('refuses a malformed livekit, naming it', async () => {
    await offer('w9', 2);
    const cases: Array<[object, string]> = [
      [{ avatar, livekit: { url: 'https://lk.example', token: 't', agent_identity: 'a' } }, 'url'],
      [{ avatar, livekit: { url: 'wss://lk.example', token: '', agent_identity: 'a' } }, 'token'],
      [{ avatar, livekit: { url: 'wss://lk.example', token: 't' } }, 'agent_identity'],
    ];
    for (const [body, named] of cases) {
      const response = await create(body);
      expect(response.statusCode, JSON.stringify(body)).toBe(422);
      expect(response.json<{ error: { message: string } }>().error.message, JSON.stringify(body)).toContain(named);
    }
  });
});

describe('GET /v1/sessions/{id}/stream', () => {
  it('answers a GET without the WebSocket upgrade 400 GATEWAY_UPGRADE_REQUIRED, with no API key needed (the token is the stream\'s credential)', async () => {
    await offer('w7', 1);
    const session = (await create({ avatar })).json<SessionBody>();
    const plain = await gateway.app.inject({ method: 'GET', url: new URL(session.stream.url).pathname + new URL(session.stream.url).search });
    expect(plain.statusCode).toBe(400);
    expect(plain.headers['upgrade']).toBe('websocket');
    expect(plain.json()).toMatchObject({ error: { code: 'GATEWAY_UPGRADE_REQUIRED' } });
  });
});

describe('a tenant\'s sessions', () => {
  it('are its own: another tenant reads and deletes nothing, not even with the other\'s avatar', async () => {
    await offer('w5', 2);
    const mine = (await create({ avatar })).json<SessionBody>();
    for (const method of ['GET', 'DELETE'] as const) {
      const response = await gateway.app.inject({ method, url: `/v1/sessions/${mine.id}`, headers: auth(KEY_B) });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ error: { code: 'GATEWAY_SESSION_NOT_FOUND' } });
    }
    expect((await create({ avatar }, KEY_B)).statusCode).toBe(404);
    expect((await gateway.app.inject({ method: 'GET', url: `/v1/sessions/${mine.id}`, headers: auth() })).json()).toMatchObject({ status: 'waiting' });
    const malformed = await gateway.app.inject({ method: 'GET', url: '/v1/sessions/nope', headers: auth() });
    expect(malformed.json()).toMatchObject({ error: { code: 'GATEWAY_SESSION_NOT_FOUND' } });
  });

  it('are metered: GET /v1/usage says the seconds its sessions streamed', async () => {
    await offer('w6', 1);
    const session = (await create({ avatar })).json<SessionBody>();
    const store = gateway.context.sessions;
    const token = new URL(session.stream.url).searchParams.get('token')!;
    expect(await store.claim('w6', session.id, token)).toBe('ok');
    await store.progress(session.id, 3.2);
    const usage = await gateway.app.inject({ method: 'GET', url: '/v1/usage', headers: auth() });
    expect(usage.json()).toEqual({ sessions: { secondsStreamed: 3.2 } });
    expect((await gateway.app.inject({ method: 'GET', url: '/v1/usage', headers: auth(KEY_B) })).json()).toEqual({ sessions: { secondsStreamed: 0 } });
    expect((await gateway.app.inject({ method: 'GET', url: `/v1/sessions/${session.id}`, headers: auth() })).json()).toMatchObject({ status: 'streaming', secondsStreamed: 3.2 });
  });
});
