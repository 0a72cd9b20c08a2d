import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGateway } from '@portrait-farm/gateway';
import type { Gateway } from '@portrait-farm/gateway';
import { createEngine } from '@portrait-farm/engine';
import type { Engine } from '@portrait-farm/engine';
import { loadFarmConfig } from '@portrait-farm/job-steps';
import { recordingLogger } from '@portrait-farm/logging/testing';
import type { RunningWorkers } from '@portrait-farm/job-steps';
import { connectSession, refusedUpgrade, sendPaced, speechLikePcm16 } from '@portrait-farm/live-host/testing';
import { startRenderWorkers } from '@portrait-farm/worker';
import { startRedisServer, uniquePrefix } from '@portrait-farm/test-support/redis-server';
import type { RedisServerProcess } from '@portrait-farm/test-support/redis-server';
import { STARTER_PACK } from '@portrait-farm/test-support/repo-models';
import { FIXTURES, freePort, getJob, submitJob } from './farm-harness.ts';

// Realtime sessions through the farm (issue 18): POST /v1/sessions on a gateway places the session on a worker
// (startRenderWorkers with one session slot and the sessions role, its session server on 127.0.0.1), the client
// streams PCM16 to the stream URL, a WebSocket on a gateway (another gateway than the one that placed it: any
// forwards any session to the worker's internal address), and gets ready, fMP4 and playback events; the worker takes
// no batch step; it ends its sessions with `closed` when it shuts down and withdraws its capacity.
const work = mkdtempSync(join(tmpdir(), 'pf-e2e-sessions-'));
const API_KEY = 'e2e-session-key-0001';
let redis: RedisServerProcess;
let engine: Engine;
let gateway: Gateway;
let otherGateway: Gateway;
let otherUrl = '';
let worker: RunningWorkers | null = null;
const workerLog = recordingLogger();
let apiUrl = '';
const bearer = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };

beforeAll(async () => {
  redis = await startRedisServer();
  const storageUrl = join(work, 'storage');
  const prefix = uniquePrefix('e2e-sessions');
  // Each gateway names itself in the stream URLs it hands out, so each listens on a port known before it is built.
  const start = async (): Promise<[Gateway, string]> => {
    const port = await freePort();
    const built = await buildGateway({ redisUrl: redis.url, storageUrl, publicBaseUrl: `http://127.0.0.1:${port}`, presignSecret: 'e2e-presign-secret-0123456789', apiKeys: { [API_KEY]: 'tenant-live' }, prefix, faceCheck: false });
    return [built, await built.app.listen({ port, host: '127.0.0.1' })];
  };
  [gateway, apiUrl] = await start();
  [otherGateway, otherUrl] = await start();
  const config = loadFarmConfig({
    PORTRAIT_FARM_REDIS_URL: redis.url,
    PORTRAIT_FARM_STORAGE_URL: storageUrl,
    PORTRAIT_FARM_PREFIX: prefix,
    PORTRAIT_FARM_PACK: STARTER_PACK,
    PORTRAIT_FARM_TEMP_DIR: work,
    PORTRAIT_FARM_SESSIONS_PER_WORKER: '1',
    PORTRAIT_FARM_SESSION_PORT: '0',
    PORTRAIT_FARM_SESSION_HOST: '127.0.0.1',
    PORTRAIT_FARM_WORKER_ROLE: 'sessions',
  });
  engine = await createEngine({ pack: STARTER_PACK, providers: ['cpu'] });
  worker = await startRenderWorkers(config, { engine, logger: workerLog });
}, 120_000);

afterAll(async () => {
  await worker?.close();
  await gateway?.close();
  await otherGateway?.close();
  await engine?.close();
  await redis?.close();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

async function createAvatar(): Promise<string> {
  const form = new FormData();
  form.append('consent', JSON.stringify({ attestation: true }));
  form.append('image', new Blob([await readFile(join(FIXTURES, 'astronaut.png'))], { type: 'image/png' }), 'astronaut.png');
  const response = await fetch(`${apiUrl}/v1/avatars`, { method: 'POST', body: form, headers: { authorization: bearer.authorization } });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

const createSession = (body: object): Promise<Response> => fetch(`${apiUrl}/v1/sessions`, { method: 'POST', headers: bearer, body: JSON.stringify(body) });
const readSession = async (id: string): Promise<Record<string, unknown>> => (await fetch(`${apiUrl}/v1/sessions/${id}`, { headers: bearer })).json() as Promise<Record<string, unknown>>;

describe('a realtime session through the farm', () => {
  it('streams through a gateway to the worker: PCM16 in, ready and fMP4 out, playback_finished after audio_end, seconds metered; the slot is the worker\'s one, which takes no batch step', async () => {
    const avatar = await createAvatar();
    const job = await submitJob(apiUrl, API_KEY, { image: join(FIXTURES, 'astronaut.png'), audio: join(FIXTURES, 'speech-3s.mp3') });
    expect(job.status).toBe(202);
    const created = await createSession({ avatar, inputSampleRate: 16000, idleTimeoutSeconds: 20 });
    expect(created.status).toBe(201);
    const session = (await created.json()) as { id: string; stream: { url: string } };
    expect(session.stream.url).toMatch(new RegExp(`^${apiUrl.replace(/^http/, 'ws').replaceAll('.', '\\.')}/v1/sessions/ses_`));
    const full = await createSession({ avatar });
    expect(full.status).toBe(503);
    expect(Number(full.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    // Another gateway than the one that placed it forwards it just as well.
    const client = await connectSession(session.stream.url.replace(apiUrl.replace(/^http/, 'ws'), otherUrl.replace(/^http/, 'ws')));
    expect(await client.next('ready')).toMatchObject({ fps: 25, width: 512, height: 512, inputSampleRate: 16000 });
    expect(await readSession(session.id)).toMatchObject({ status: 'streaming' });
    // The worker's warm-up, begun at its start, ended before the session began or was stopped by it: it never shares
    // the cores with a session's first frames.
    const messages = (): string[] => workerLog.entries.map((entry) => entry.msg);
    await until(async () => messages().some((msg) => msg === 'warmed up' || msg.startsWith('warm-up stopped')));
    const warmedUp = messages().indexOf('warmed up');
    if (warmedUp === -1) expect(messages()).toContain('warm-up stopped: a step or session came first');
    else expect(warmedUp).toBeLessThan(messages().indexOf('session streaming'));
    await sendPaced(client.socket, speechLikePcm16(1, 16000), 16000);
    client.socket.send(JSON.stringify({ type: 'audio_end' }));
    expect(await client.next('playback_finished')).toMatchObject({ interrupted: false });
    expect(client.binaries[0]!.subarray(4, 8).toString()).toBe('ftyp');
    expect(client.binaries.length).toBeGreaterThan(25);
    client.socket.close();
    await client.closed;
    await until(async () => (await readSession(session.id))['status'] === 'ended');
    const ended = await readSession(session.id);
    expect(ended).toMatchObject({ endReason: 'client' });
    expect(ended['secondsStreamed']).toBeGreaterThan(1);
    const usage = (await (await fetch(`${apiUrl}/v1/usage`, { headers: bearer })).json()) as { sessions: { secondsStreamed: number } };
    expect(usage.sessions.secondsStreamed).toBeCloseTo(ended['secondsStreamed'] as number, 6);
    // The token was spent: the worker's refusal comes back through the gateway; an ended session and an unknown one
    // the gateway answers itself.
    expect(await refusedUpgrade(session.stream.url)).toMatchObject({ status: 410, body: { error: { code: 'GATEWAY_SESSION_ENDED' } } });
    expect(await refusedUpgrade(session.stream.url.replace(/ses_[^/]+/, 'ses_000000000000000000000000'))).toMatchObject({ status: 404, body: { error: { code: 'GATEWAY_SESSION_NOT_FOUND' } } });
    expect((await getJob(apiUrl, API_KEY, job.body.id)).status).toBe('queued');
  }, 120_000);

  it('relays the worker\'s refusal of a spent token through the gateway', async () => {
    const avatar = await createAvatar();
    const session = (await (await createSession({ avatar })).json()) as { id: string; stream: { url: string } };
    const client = await connectSession(session.stream.url);
    await client.next('ready');
    expect(await refusedUpgrade(session.stream.url)).toMatchObject({ status: 409, body: { error: { code: 'LIVE_HOST_TOKEN_USED' } } });
    expect(await refusedUpgrade(session.stream.url.replace(/token=[^&]+/, 'token=wrong'))).toMatchObject({ status: 403, body: { error: { code: 'LIVE_HOST_BAD_TOKEN' } } });
    client.socket.close();
    await client.closed;
    await until(async () => (await readSession(session.id))['status'] === 'ended');
  }, 120_000);

  it('ends a streaming session with closed on DELETE, and every session with closed when the worker shuts down, withdrawing its capacity', async () => {
    const avatar = await createAvatar();
    const first = (await (await createSession({ avatar })).json()) as { id: string; stream: { url: string } };
    const client = await connectSession(first.stream.url);
    await client.next('ready');
    const deleted = await fetch(`${apiUrl}/v1/sessions/${first.id}`, { method: 'DELETE', headers: { authorization: bearer.authorization } });
    expect(deleted.status).toBe(200);
    expect(await client.next('closed')).toMatchObject({ reason: 'deleted' });
    await until(async () => (await readSession(first.id))['status'] === 'ended');
    expect(await readSession(first.id)).toMatchObject({ endReason: 'deleted' });

    const second = (await (await createSession({ avatar })).json()) as { id: string; stream: { url: string } };
    const other = await connectSession(second.stream.url);
    await other.next('ready');
    await worker!.close();
    worker = null;
    expect(await other.next('closed')).toMatchObject({ reason: 'shutdown' });
    await other.closed;
    expect(await readSession(second.id)).toMatchObject({ status: 'ended', endReason: 'shutdown' });
    const none = await createSession({ avatar });
    expect(none.status).toBe(503);
    expect(((await none.json()) as { error: { message: string } }).error.message).toContain('No worker hosts realtime sessions');
  }, 120_000);
});

async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
