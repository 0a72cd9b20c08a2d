import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initializeLogger, voice } from '@livekit/agents';
import { AudioFrame, type Room } from '@livekit/rtc-node';
import { createEngine, startRenderThreads, type Engine, type RenderThreads } from '@portrait-farm/engine';
import { buildGateway, type Gateway } from '@portrait-farm/gateway';
import { startSessionHost, type SessionHost } from '@portrait-farm/live-host';
import { AVATAR_VIDEO_TRACK } from '@portrait-farm/livekit-avatar';
import { createRoomDouble, doubleToken, type DoubleRoom, type RoomDouble } from '@portrait-farm/livekit-avatar/testing';
import { AvatarSession, AVATAR_SAMPLE_RATE, DEFAULT_AVATAR_IDENTITY } from '@portrait-farm/livekit-plugin';
import { createProcessLogger } from '@portrait-farm/logging';
import { recordingLogger } from '@portrait-farm/logging/testing';
import { decodeAudio } from '@portrait-farm/media';
import { sessionKeys } from '@portrait-farm/sessions';
import { createStorage } from '@portrait-farm/storage';
import { startRedisServer, uniquePrefix, type RedisServerProcess } from '@portrait-farm/test-support/redis-server';
import { STARTER_PACK } from '@portrait-farm/test-support/repo-models';
import { FIXTURES, freePort } from './farm-harness.ts';

// The LiveKit path end to end, without a LiveKit server (none can be had here): the Agents plugin asks a real gateway
// for a session (POST /v1/sessions with livekit), the gateway places it on a worker's session host on a real Redis,
// the host joins the room double as the avatar, and the agent's speech, sent through the audio output the plugin set,
// plays there.
const work = mkdtempSync(join(tmpdir(), 'pf-e2e-livekit-'));
const API_KEY = 'e2e-livekit-key-0001';
const LIVEKIT = { livekitUrl: 'wss://livekit.invalid', livekitApiKey: 'APIlivekit', livekitApiSecret: 'a-livekit-secret-of-at-least-32-characters' };
let redis: RedisServerProcess;
let commands: Redis;
let subscriber: Redis;
let engine: Engine;
let threads: RenderThreads;
let gateway: Gateway;
let host: SessionHost;
let apiUrl = '';
let double: RoomDouble;
let agentRoom: DoubleRoom;
let prefix = '';
// Every line the gateway logs (trace and up) and every entry the worker's session host logs.
const gatewayLog: string[] = [];
const hostLog = recordingLogger();

beforeAll(async () => {
  initializeLogger({ pretty: false, level: 'error' });
  redis = await startRedisServer();
  const storageUrl = join(work, 'storage');
  prefix = uniquePrefix('e2e-livekit');
  const port = await freePort();
  gateway = await buildGateway({ redisUrl: redis.url, storageUrl, publicBaseUrl: `http://127.0.0.1:${port}`, presignSecret: 'e2e-presign-secret-0123456789', apiKeys: { [API_KEY]: 'tenant-lk' }, prefix, faceCheck: false }, { logger: createProcessLogger('gateway', { level: 'trace', destination: { write: (line: string) => void gatewayLog.push(line) } }) });
  apiUrl = await gateway.app.listen({ port, host: '127.0.0.1' });
  engine = await createEngine({ pack: STARTER_PACK, providers: ['cpu'] });
  threads = startRenderThreads(1);
  double = createRoomDouble();
  commands = new Redis(redis.url);
  subscriber = new Redis(redis.url);
  host = await startSessionHost({
    redis: commands,
    subscriber,
    prefix,
    engine,
    renderThreads: threads,
    storage: createStorage(storageUrl),
    hostId: 'worker-lk',
    capacity: 1,
    listenHost: '127.0.0.1',
    port: 0,
    publicUrl: null,
    livekitRtc: async () => double.rtc,
    logger: hostLog,
  });
  agentRoom = new double.rtc.Room();
  await agentRoom.connect(LIVEKIT.livekitUrl, doubleToken({ identity: 'agent-1', room: 'support-room' }));
}, 120_000);

afterAll(async () => {
  await agentRoom?.disconnect();
  await host?.close();
  await gateway?.close();
  await threads?.close();
  await engine?.close();
  subscriber?.disconnect();
  commands?.disconnect();
  await redis?.close();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

const bearer = { authorization: `Bearer ${API_KEY}` };

describe('LiveKit avatar through the farm', () => {
  it('starts a session from the plugin, plays the agent\'s speech in the room, and leaves the room when the session is deleted', async () => {
    const form = new FormData();
    form.append('consent', JSON.stringify({ attestation: true }));
    form.append('image', new Blob([await readFile(join(FIXTURES, 'astronaut.png'))], { type: 'image/png' }), 'astronaut.png');
    const created = await fetch(`${apiUrl}/v1/avatars`, { method: 'POST', body: form, headers: bearer });
    expect(created.status).toBe(201);
    const avatarId = ((await created.json()) as { id: string }).id;

    const agentSession = new voice.AgentSession({});
    const plugin = new AvatarSession({ avatarId, farmUrl: apiUrl, apiKey: API_KEY, latency: 'low' });
    const sessionId = await plugin.start(agentSession, agentRoom as unknown as Room, LIVEKIT);
    await plugin.waitForJoin({ timeout: 60_000 });
    const avatar = agentRoom.remoteParticipants.get(DEFAULT_AVATAR_IDENTITY)!;
    expect([...avatar.trackPublications.values()].map((p) => p.name)).toContain(AVATAR_VIDEO_TRACK);
    expect(avatar.attributes).toEqual({ 'lk.publish_on_behalf': 'agent-1' });
    const read = (await (await fetch(`${apiUrl}/v1/sessions/${sessionId}`, { headers: bearer })).json()) as { status: string; options: { livekit: unknown } };
    expect(read).toMatchObject({ status: 'streaming', options: { livekit: { url: LIVEKIT.livekitUrl, agent_identity: 'agent-1' } } });
    // The avatar's LiveKit token (a JWT: "eyJ..."), taken by the worker's claim, is nowhere in Redis's record.
    expect(JSON.stringify(await commands.hgetall(sessionKeys(prefix).session(sessionId)))).not.toContain('eyJ');

    const speech = (await decodeAudio(join(FIXTURES, 'speech-3s.wav'), { sampleRate: AVATAR_SAMPLE_RATE })).samples.subarray(0, AVATAR_SAMPLE_RATE * 2);
    const output = agentSession.output.audio!;
    for (let at = 0; at < speech.length; at += 480) {
      const chunk = Int16Array.from(speech.subarray(at, at + 480), (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32768))));
      await output.captureFrame(new AudioFrame(chunk, AVATAR_SAMPLE_RATE, 1, chunk.length));
    }
    output.flush();
    expect(await output.waitForPlayout()).toMatchObject({ playbackPosition: 2, interrupted: false });

    const deleted = await fetch(`${apiUrl}/v1/sessions/${sessionId}`, { method: 'DELETE', headers: bearer });
    expect(deleted.status).toBe(200);
    const deadline = Date.now() + 30_000;
    while (agentRoom.remoteParticipants.has(DEFAULT_AVATAR_IDENTITY) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(agentRoom.remoteParticipants.has(DEFAULT_AVATAR_IDENTITY)).toBe(false);
    let ended: { status: string; endReason: string | null; secondsStreamed: number } = { status: '', endReason: null, secondsStreamed: 0 };
    while (ended.status !== 'ended' && Date.now() < deadline) {
      ended = (await (await fetch(`${apiUrl}/v1/sessions/${sessionId}`, { headers: bearer })).json()) as typeof ended;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(ended).toMatchObject({ status: 'ended', endReason: 'deleted' });
    expect(ended.secondsStreamed).toBeGreaterThan(2);
    // Nor in what the gateway and the worker logged.
    expect(gatewayLog.length).toBeGreaterThan(0);
    expect(hostLog.entries.length).toBeGreaterThan(0);
    expect(gatewayLog.join('\n')).not.toContain('eyJ');
    expect(JSON.stringify(hostLog.entries)).not.toContain('eyJ');
  }, 240_000);
});
