import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initializeLogger, voice } from '@livekit/agents';
import { AudioFrame, TrackKind, type Room } from '@livekit/rtc-node';
import { avatarKeys, AvatarStore, createAvatarId } from '@portrait-farm/avatars';
import { createEngine, startRenderThreads, type Engine, type RenderThreads } from '@portrait-farm/engine';
import { AVATAR_VIDEO_TRACK, PUBLISH_ON_BEHALF_ATTRIBUTE, RPC_PLAYBACK_FINISHED } from '@portrait-farm/livekit-avatar';
import { createRoomDouble, doubleToken, type DoubleRoom, type RoomDouble, type VideoSource } from '@portrait-farm/livekit-avatar/testing';
import { recordingLogger } from '@portrait-farm/logging/testing';
import { isPlaced, registerSessionHost, SessionStore, type PlacedSession } from '@portrait-farm/sessions';
import { FilesystemStorage } from '@portrait-farm/storage';
import { TEST_PORTRAIT } from '@portrait-farm/test-support/bad-input';
import { startRedisServer, uniquePrefix, type RedisServerProcess } from '@portrait-farm/test-support/redis-server';
import { STARTER_PACK } from '@portrait-farm/test-support/repo-models';
import { startSessionHost, type SessionHost } from './session-host.ts';
import { speechLikePcm16 } from './testing/session-client.ts';

// A LiveKit session through the worker's session host on a real Redis: placed and announced as the gateway does it,
// claimed by the host, which joins the room double as the agent's avatar.

const work = mkdtempSync(join(tmpdir(), 'pf-live-host-livekit-'));
const URL_ = 'wss://livekit.invalid';
let server: RedisServerProcess;
let redis: Redis;
let subscriber: Redis;
let subscriberId: number;
let storage: FilesystemStorage;
let engine: Engine;
let threads: RenderThreads;
let host: SessionHost;
let store: SessionStore;
let avatarId: string;
let double: RoomDouble;
let agentRoom: DoubleRoom;
const prefix = uniquePrefix();
const ended: Array<{ reason: string; seconds: number }> = [];
const logger = recordingLogger();

beforeAll(async () => {
  initializeLogger({ pretty: false, level: 'error' });
  server = await startRedisServer();
  redis = new Redis(server.port, server.host);
  subscriber = new Redis(server.port, server.host);
  subscriberId = Number(await subscriber.client('ID'));
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
  double = createRoomDouble();
  agentRoom = new double.rtc.Room();
  await agentRoom.connect(URL_, doubleToken({ identity: 'agent-1', room: 'room-1' }));
  store = new SessionStore(redis, prefix);
  host = await startSessionHost({
    redis,
    subscriber,
    prefix,
    engine,
    renderThreads: threads,
    storage,
    hostId: 'worker-1',
    capacity: 1,
    listenHost: '127.0.0.1',
    port: 0,
    publicUrl: null,
    meterEveryMs: 500,
    claimSweepMs: 1000,
    logger,
    livekitRtc: async () => double.rtc,
    onEnded: (reason, seconds) => ended.push({ reason, seconds }),
  });
}, 120_000);

afterAll(async () => {
  await host?.close();
  await agentRoom?.disconnect();
  await threads?.close();
  await engine?.close();
  subscriber?.disconnect();
  redis?.disconnect();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Places a LiveKit session whose avatar joins room-1 as `identity`; the avatar's LiveKit token with it. */
async function placeLiveKit(identity: string): Promise<{ placed: PlacedSession; token: string }> {
  const token = doubleToken({ identity, room: 'room-1', attributes: { [PUBLISH_ON_BEHALF_ATTRIBUTE]: 'agent-1' } });
  const result = await store.place('acme', { avatarId, mode: 'crop', inputSampleRate: 16000, latency: 'low', controls: {}, seed: 3, idleTimeoutSeconds: 1, maxDurationSeconds: 600, livekit: { url: URL_, token, agentIdentity: 'agent-1' } }, 30_000);
  if (!isPlaced(result)) throw new Error('not placed');
  return { placed: result, token };
}

/** Waits until the session streams; how long that took (ms). */
async function claimedWithin(placed: PlacedSession): Promise<number> {
  const started = Date.now();
  await until(async () => (await store.read(placed.record.id))!.status === 'streaming', 10_000);
  return Date.now() - started;
}

/** The avatar is in the room with its video, its token no longer in Redis; DELETE ends it. */
async function playsThenDeleted(placed: PlacedSession, token: string, identity: string): Promise<void> {
  await until(() => [...(agentRoom.remoteParticipants.get(identity)?.trackPublications.values() ?? [])].some((p) => p.name === AVATAR_VIDEO_TRACK));
  const hash = await redis.hgetall(store.keys.session(placed.record.id));
  expect(hash['livekitToken']).toBeUndefined();
  expect(Object.values(hash).some((value) => value.includes(token))).toBe(false);
  expect(logger.entries.length).toBeGreaterThan(0);
  expect(JSON.stringify(logger.entries)).not.toContain(token);
  expect(await store.requestEnd('acme', placed.record.id)).toBe('ending');
  await until(async () => (await store.read(placed.record.id))!.status === 'ended');
  expect((await store.read(placed.record.id))!.endReason).toBe('deleted');
  await until(() => host.running() === 0);
}

describe('the session host with a LiveKit session', () => {
  it('claims and plays a LiveKit session announced while its subscription was down (the start message heard by nobody)', async () => {
    const { placed, token } = await placeLiveKit('farm-avatar-missed');
    await redis.client('KILL', 'ID', String(subscriberId));
    expect(await store.announceLiveKit(placed)).toBe(0);
    const ms = await claimedWithin(placed);
    console.log(`claimed ${ms} ms after a start message nobody heard`);
    expect(ms).toBeLessThan(2500);
    await playsThenDeleted(placed, token, 'farm-avatar-missed');
  }, 120_000);

  it('claims and plays a LiveKit session never announced (the gateway gone before it published) at its next sweep', async () => {
    const { placed, token } = await placeLiveKit('farm-avatar-unannounced');
    const ms = await claimedWithin(placed);
    console.log(`claimed ${ms} ms after placement without a start message (sweep every 1000 ms)`);
    expect(ms).toBeLessThan(3000);
    await playsThenDeleted(placed, token, 'farm-avatar-unannounced');
  }, 120_000);

  it('claims at start-up a LiveKit session placed on it and announced before it started (a worker restarting)', async () => {
    // The worker's previous life offered 2 slots: the session goes there, and its start message finds no one of it.
    const previous = await registerSessionHost(redis, prefix, { hostId: 'worker-restarting', url: 'ws://127.0.0.1:1', capacity: 2 });
    const { placed, token } = await placeLiveKit('farm-avatar-restarted');
    expect(placed.record.hostId).toBe('worker-restarting');
    await store.announceLiveKit(placed);
    await previous.stop();
    const commands = new Redis(server.port, server.host);
    const restartedSubscriber = new Redis(server.port, server.host);
    const started = Date.now();
    const restarted = await startSessionHost({
      redis: commands,
      subscriber: restartedSubscriber,
      prefix,
      engine,
      renderThreads: threads,
      storage,
      hostId: 'worker-restarting',
      capacity: 2,
      listenHost: '127.0.0.1',
      port: 0,
      publicUrl: null,
      // No periodic sweep within the test: only the one at start-up can claim it.
      claimSweepMs: 600_000,
      livekitRtc: async () => double.rtc,
    });
    try {
      await claimedWithin(placed);
      const ms = Date.now() - started;
      console.log(`claimed ${ms} ms after the host was started`);
      expect(ms).toBeLessThan(2500);
      await until(() => restarted.running() === 1);
      await until(() => [...(agentRoom.remoteParticipants.get('farm-avatar-restarted')?.trackPublications.values() ?? [])].some((p) => p.name === AVATAR_VIDEO_TRACK));
      expect(await redis.hget(store.keys.session(placed.record.id), 'livekitToken')).toBeNull();
    } finally {
      await restarted.close();
      commands.disconnect();
      restartedSubscriber.disconnect();
    }
    expect(await store.read(placed.record.id)).toMatchObject({ status: 'ended', endReason: 'shutdown' });
    expect(JSON.stringify(await redis.hgetall(store.keys.session(placed.record.id)))).not.toContain(token);
  }, 120_000);

  it('refuses a claim sweep period that is not a positive number of ms, naming it', async () => {
    for (const claimSweepMs of [0, -5, Number.NaN]) {
      const starting = startSessionHost({ redis, subscriber, prefix, engine, renderThreads: threads, storage, hostId: 'never', capacity: 1, listenHost: '127.0.0.1', port: 0, publicUrl: null, claimSweepMs });
      await expect(starting).rejects.toThrow(`claimSweepMs must be a positive number of ms. Passed: ${claimSweepMs}`);
    }
  });

  it('claims an announced LiveKit session, plays the agent\'s speech in the room, and ends it (client) when the agent leaves', async () => {
    const token = doubleToken({ identity: 'farm-avatar', room: 'room-1', attributes: { [PUBLISH_ON_BEHALF_ATTRIBUTE]: 'agent-1' } });
    const result = await store.place('acme', { avatarId, mode: 'crop', inputSampleRate: 16000, latency: 'low', controls: {}, seed: 3, idleTimeoutSeconds: 1, maxDurationSeconds: 600, livekit: { url: URL_, token, agentIdentity: 'agent-1' } }, 30_000);
    if (!isPlaced(result)) throw new Error('not placed');
    const placed: PlacedSession = result;
    await store.announceLiveKit(placed);
    await until(async () => (await store.read(placed.record.id))!.status === 'streaming');
    await until(() => [...(agentRoom.remoteParticipants.get('farm-avatar')?.trackPublications.values() ?? [])].some((p) => p.name === AVATAR_VIDEO_TRACK));
    expect(host.running()).toBe(1);
    const video = double.server.publishedSource('farm-avatar', AVATAR_VIDEO_TRACK) as VideoSource;
    await until(() => video.captured.length > 0);
    expect(video.captured[0]).toMatchObject({ width: 512, height: 512 });

    // The agent speaks 1.2 s at 24 kHz; quiet longer than the session's idle timeout (1 s) does not end it.
    const output = new voice.DataStreamAudioOutput({ room: agentRoom as unknown as Room, destinationIdentity: 'farm-avatar', sampleRate: 24000, waitRemoteTrack: TrackKind.KIND_VIDEO });
    const pcm = speechLikePcm16(1.2, 24000);
    const samples = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2);
    for (let at = 0; at < samples.length; at += 480) {
      const chunk = samples.slice(at, at + 480);
      await output.captureFrame(new AudioFrame(chunk, 24000, 1, chunk.length));
    }
    output.flush();
    expect(await output.waitForPlayout()).toMatchObject({ playbackPosition: 1.2, interrupted: false });
    expect(double.server.rpcs.some((r) => r.method === RPC_PLAYBACK_FINISHED && r.from === 'farm-avatar')).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await store.read(placed.record.id))!.status).toBe('streaming');
    expect((await store.read(placed.record.id))!.secondsStreamed).toBeGreaterThan(1);

    // The agent leaves: the avatar leaves, the session ends as a client's close, metered and its slot free.
    await agentRoom.disconnect();
    await until(async () => (await store.read(placed.record.id))!.status === 'ended');
    const record = (await store.read(placed.record.id))!;
    expect(record.endReason).toBe('client');
    expect(record.secondsStreamed).toBeGreaterThan(2);
    expect(ended.at(-1)).toMatchObject({ reason: 'client' });
    expect(host.running()).toBe(0);
    expect(await store.placedOn('worker-1')).toEqual([]);
  }, 180_000);
});
