import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { avatarKeys, AvatarStore, createAvatarId } from '@portrait-farm/avatars';
import { createEngine, startRenderThreads, type Engine, type RenderThreads } from '@portrait-farm/engine';
import { isPlaced, SessionStore, type PlacedSession, type SessionOptions } from '@portrait-farm/sessions';
import { FilesystemStorage } from '@portrait-farm/storage';
import { TEST_PORTRAIT } from '@portrait-farm/test-support/bad-input';
import { startRedisServer, uniquePrefix, type RedisServerProcess } from '@portrait-farm/test-support/redis-server';
import { STARTER_PACK } from '@portrait-farm/test-support/repo-models';
import { startSessionHost, type SessionHost } from './session-host.ts';
import { streamPath } from './stream-request.ts';
import { connectSession, refusedUpgrade, sendPaced, speechLikePcm16 } from './testing/session-client.ts';

const work = mkdtempSync(join(tmpdir(), 'pf-live-host-'));
let server: RedisServerProcess;
let redis: Redis;
let subscriber: Redis;
let engine: Engine;
let threads: RenderThreads;
let storage: FilesystemStorage;
let host: SessionHost;
let store: SessionStore;
let avatarId: string;
const prefix = uniquePrefix();
const ended: Array<{ reason: string; seconds: number }> = [];
let streamed = 0;
let closed = false;

beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.port, server.host);
  subscriber = new Redis(server.port, server.host);
  engine = await createEngine({ pack: STARTER_PACK, providers: ['cpu'] });
  threads = startRenderThreads(1);
  storage = new FilesystemStorage({ root: join(work, 'storage') });
  avatarId = createAvatarId();
  await new AvatarStore(storage).create(
    {
      id: avatarId,
      tenantId: 'acme',
      createdAt: new Date().toISOString(),
      image: { key: avatarKeys.image('acme', avatarId, 'png'), size: 0, sha256: '0'.repeat(64), contentType: 'image/png', width: 512, height: 512, format: 'png' },
      face: { faceIndex: null, faceBox: null, box: null },
      consent: { attestation: true, statement: null, at: new Date().toISOString() },
    },
    TEST_PORTRAIT,
  );
  store = new SessionStore(redis, prefix);
  host = await startSessionHost({
    redis,
    subscriber,
    prefix,
    engine,
    renderThreads: threads,
    storage,
    hostId: 'worker-1',
    capacity: 2,
    listenHost: '127.0.0.1',
    port: 0,
    publicUrl: null,
    meterEveryMs: 500,
    onStreamed: (seconds) => (streamed += seconds),
    onEnded: (reason, seconds) => ended.push({ reason, seconds }),
  });
}, 120_000);

afterAll(async () => {
  if (!closed) await host?.close();
  await threads?.close();
  await engine?.close();
  subscriber?.disconnect();
  redis?.disconnect();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

const OPTIONS = (): SessionOptions => ({ avatarId, mode: 'crop', inputSampleRate: 16000, latency: 'low', controls: {}, seed: 3, idleTimeoutSeconds: 30, maxDurationSeconds: 600 });

async function place(options: Partial<SessionOptions> = {}): Promise<PlacedSession> {
  const result = await store.place('acme', { ...OPTIONS(), ...options }, 30_000);
  if (!isPlaced(result)) throw new Error('not placed');
  return result;
}
const streamUrl = (session: PlacedSession, token = session.token): string => `${session.record.hostUrl}${streamPath(session.record.id, token)}`;

describe('the session host', () => {
  it('streams a placed session: PCM16 in, ready and fMP4 out, playback_finished after audio_end; one connection per token; the end recorded and metered', async () => {
    const session = await place({ inputSampleRate: 24000 });
    expect(session.record.hostUrl).toBe(host.url);
    const client = await connectSession(streamUrl(session));
    const ready = await client.next('ready');
    expect(ready).toMatchObject({ fps: 25, width: 512, height: 512, inputSampleRate: 24000 });
    expect((await store.read(session.record.id))!.status).toBe('streaming');
    expect(await refusedUpgrade(streamUrl(session))).toMatchObject({ status: 409, body: { error: { code: 'LIVE_HOST_TOKEN_USED' } } });
    await sendPaced(client.socket, speechLikePcm16(1.2, 24000), 24000);
    client.socket.send(JSON.stringify({ type: 'audio_end' }));
    await client.next('playback_started');
    const finished = await client.next('playback_finished');
    expect(finished.interrupted).toBe(false);
    expect(client.binaries.length).toBeGreaterThan(30);
    // The first binary message is the init segment: ftyp then moov.
    expect(client.binaries[0]!.subarray(4, 8).toString()).toBe('ftyp');
    client.socket.close();
    await client.closed;
    await until(async () => (await store.read(session.record.id))!.status === 'ended');
    const record = (await store.read(session.record.id))!;
    expect(record).toMatchObject({ endReason: 'client' });
    expect(record.secondsStreamed).toBeGreaterThan(1);
    expect(await store.usageSeconds('acme')).toBeCloseTo(record.secondsStreamed, 6);
    expect(ended.at(-1)).toEqual({ reason: 'client', seconds: record.secondsStreamed });
    expect(streamed).toBeCloseTo(record.secondsStreamed, 6);
    expect(await refusedUpgrade(streamUrl(session))).toMatchObject({ status: 410, body: { error: { code: 'LIVE_HOST_SESSION_ENDED' } } });
  }, 120_000);

  it('refuses upgrades without a token, with another session\'s token, for an unknown session or transport, and plain requests', async () => {
    const session = await place();
    const other = await place();
    expect(await refusedUpgrade(`${host.url}/v1/sessions/${session.record.id}/stream`)).toMatchObject({ status: 401, body: { error: { code: 'LIVE_HOST_NO_TOKEN' } } });
    expect(await refusedUpgrade(streamUrl(session, other.token))).toMatchObject({ status: 403, body: { error: { code: 'LIVE_HOST_BAD_TOKEN' } } });
    expect(await refusedUpgrade(`${host.url}${streamPath('ses_000000000000000000000000', session.token)}`)).toMatchObject({ status: 404, body: { error: { code: 'LIVE_HOST_SESSION_NOT_FOUND' } } });
    expect(await refusedUpgrade(`${host.url}/elsewhere`)).toMatchObject({ status: 404, body: { error: { code: 'LIVE_HOST_NOT_A_STREAM' } } });
    // An unknown transport is refused before the token is checked, so it does not spend it.
    expect(await refusedUpgrade(`${streamUrl(session)}&transport=rtmp`)).toMatchObject({ status: 400, body: { error: { code: 'LIVE_HOST_BAD_TRANSPORT' } } });
    // A broken handshake is refused before the token is checked, so it does not spend it.
    expect(await refusedUpgrade(streamUrl(session), { 'sec-websocket-key': 'short' })).toMatchObject({ status: 400, body: { error: { code: 'LIVE_HOST_BAD_HANDSHAKE' } } });
    const plain = await fetch(`${host.url.replace(/^ws/, 'http')}${streamPath(session.record.id, session.token)}`);
    expect(plain.status).toBe(426);
    // Neither was spent: both still connect (and free their slots when DELETEd while waiting).
    expect(await store.requestEnd('acme', session.record.id)).toBe('ended');
    expect(await store.requestEnd('acme', other.record.id)).toBe('ended');
  }, 60_000);

  it('ends a streaming session on DELETE: the client gets closed, the record says deleted, the slot is free again', async () => {
    const sessions = [await place(), await place()];
    expect(isPlaced(await store.place('acme', OPTIONS(), 30_000))).toBe(false);
    const client = await connectSession(streamUrl(sessions[0]!));
    await client.next('ready');
    expect(await store.requestEnd('acme', sessions[0]!.record.id)).toBe('ending');
    const closed = await client.next('closed');
    expect(closed.reason).toBe('deleted');
    await client.closed;
    await until(async () => (await store.read(sessions[0]!.record.id))!.status === 'ended');
    expect((await store.read(sessions[0]!.record.id))!.endReason).toBe('deleted');
    const again = await store.place('acme', OPTIONS(), 30_000);
    expect(isPlaced(again)).toBe(true);
    await store.requestEnd('acme', sessions[1]!.record.id);
    if (isPlaced(again)) await store.requestEnd('acme', again.record.id);
  }, 60_000);

  it('records a client that leaves before ready as client, at once, and frees its slot', async () => {
    const session = await place({ idleTimeoutSeconds: 60 });
    const client = await connectSession(streamUrl(session));
    client.socket.terminate();
    await until(async () => (await store.read(session.record.id))!.status === 'ended', 15_000);
    expect((await store.read(session.record.id))!.endReason).toBe('client');
  }, 30_000);

  it('records a client that leaves mid-sentence (audio sent, no audio_end) as client and frees its slot', async () => {
    const session = await place({ idleTimeoutSeconds: 60 });
    const client = await connectSession(streamUrl(session));
    await client.next('ready');
    await sendPaced(client.socket, speechLikePcm16(1, 16000), 16000);
    await client.next('playback_started');
    client.socket.terminate();
    await until(async () => (await store.read(session.record.id))!.status === 'ended', 15_000);
    expect((await store.read(session.record.id))!.endReason).toBe('client');
    expect(await store.placedOn('worker-1')).not.toContain(session.record.id);
  }, 30_000);

  it('ends a session whose client went quiet mid-sentence (idle_timeout) with closed', async () => {
    const session = await place({ idleTimeoutSeconds: 2 });
    const client = await connectSession(streamUrl(session));
    await client.next('ready');
    await sendPaced(client.socket, speechLikePcm16(1, 16000), 16000);
    expect(await client.next('closed', 15_000)).toMatchObject({ reason: 'idle_timeout' });
    await until(async () => (await store.read(session.record.id))!.status === 'ended');
    expect((await store.read(session.record.id))!.endReason).toBe('idle_timeout');
  }, 30_000);

  it('ends a session whose avatar is gone with error and closed, recording error and freeing the slot', async () => {
    const session = await place({ avatarId: createAvatarId() });
    const client = await connectSession(streamUrl(session));
    const error = await client.next('error');
    expect(error.code).toBe('SESSION_FAILED');
    expect(error.message).toContain('avatar');
    expect(await client.next('closed')).toMatchObject({ reason: 'error' });
    await until(async () => (await store.read(session.record.id))!.status === 'ended');
    expect((await store.read(session.record.id))!.endReason).toBe('error');
    expect(await store.placedOn('worker-1')).not.toContain(session.record.id);
  }, 30_000);

  it('ends a session whose client goes quiet (idle_timeout) and meters what it streamed', async () => {
    const before = await store.usageSeconds('acme');
    const session = await place({ idleTimeoutSeconds: 2 });
    const client = await connectSession(streamUrl(session));
    await client.next('ready');
    const closed = await client.next('closed', 30_000);
    expect(closed.reason).toBe('idle_timeout');
    await until(async () => (await store.read(session.record.id))!.status === 'ended');
    const record = (await store.read(session.record.id))!;
    expect(record.endReason).toBe('idle_timeout');
    expect(record.secondsStreamed).toBeGreaterThan(1);
    expect(await store.usageSeconds('acme')).toBeCloseTo(before + record.secondsStreamed, 6);
  }, 60_000);
});

describe('the session host shutting down', () => {
  it('ends its streaming sessions with closed (shutdown) and those still waiting for their client, and withdraws its capacity', async () => {
    const streaming = await place();
    const waiting = await place();
    const client = await connectSession(streamUrl(streaming));
    await client.next('ready');
    await host.close();
    closed = true;
    expect(await client.next('closed')).toMatchObject({ reason: 'shutdown' });
    await client.closed;
    expect(await store.read(streaming.record.id)).toMatchObject({ status: 'ended', endReason: 'shutdown' });
    expect(await store.read(waiting.record.id)).toMatchObject({ status: 'ended', endReason: 'shutdown' });
    expect(await store.place('acme', OPTIONS(), 30_000)).toEqual({ reason: 'no_hosts', freeInMs: 0 });
    expect(ended.at(-1)).toMatchObject({ reason: 'shutdown' });
  }, 60_000);
});

async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
