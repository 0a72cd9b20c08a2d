import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initializeLogger, voice } from '@livekit/agents';
import { AudioFrame, type Room } from '@livekit/rtc-node';
import { TokenVerifier } from 'livekit-server-sdk';
import { createEngine, startRenderThreads, type Engine, type RenderThreads } from '@portrait-farm/engine';
import { startLiveSession, streamFeatures } from '@portrait-farm/live';
import { startLiveKitAvatar, type LiveKitAvatar } from '@portrait-farm/livekit-avatar';
import { createRoomDouble, doubleToken, readToken, type DoubleRoom, type RoomDouble } from '@portrait-farm/livekit-avatar/testing';
import { decodeAudio } from '@portrait-farm/media';
import { createIdleMotion } from '@portrait-farm/motion';
import { prepareMeshwarp } from '@portrait-farm/renderer';
import { syntheticPortrait } from '@portrait-farm/renderer/testing';
import { STARTER_PACK } from '@portrait-farm/test-support/repo-models';
import { AvatarSession, AVATAR_SAMPLE_RATE, DEFAULT_AVATAR_IDENTITY } from './avatar-session.ts';
import { PortraitFarmPluginError } from './plugin-error.ts';

const fixtures = new URL('../../../test/fixtures/', import.meta.url).pathname;
const LIVEKIT = { livekitUrl: 'wss://livekit.invalid', livekitApiKey: 'APIkey123', livekitApiSecret: 'a-secret-of-at-least-32-characters-long' };
const SIZE = 192;

interface Received {
  method: string;
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
}

/** A stand-in for the farm's POST /v1/sessions: records the request and answers as `answer` says. */
function farm(answer: (request: Received) => { status: number; body: unknown; headers?: Record<string, string> }): Promise<{ url: string; requests: Received[]; server: Server }> {
  const requests: Received[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      const received = { method: req.method!, path: req.url!, authorization: req.headers.authorization, body: JSON.parse(text) as Record<string, unknown> };
      requests.push(received);
      const { status, body, headers } = answer(received);
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`, requests, server })));
}

let engine: Engine;
let threads: RenderThreads;
let double: RoomDouble;
let agentRoom: DoubleRoom;
const portrait = syntheticPortrait(SIZE);
const prepared = prepareMeshwarp({ image: portrait, landmarks: portrait.landmarks });

beforeAll(async () => {
  initializeLogger({ pretty: false, level: 'error' });
  engine = await createEngine({ pack: STARTER_PACK, providers: ['cpu'] });
  threads = startRenderThreads(1);
  double = createRoomDouble();
  agentRoom = new double.rtc.Room();
  await agentRoom.connect(LIVEKIT.livekitUrl, doubleToken({ identity: 'agent-1', room: 'support-room' }));
}, 120_000);

afterAll(async () => {
  await agentRoom?.disconnect();
  await threads?.close();
  await engine?.close();
});

describe('AvatarSession', () => {
  it('mints the avatar\'s token, starts a LiveKit session on the farm, and sends the agent\'s speech to the avatar that joins', async () => {
    let avatar: LiveKitAvatar | null = null;
    const pool = threads.portrait(prepared);
    const stand = await farm(() => ({ status: 201, body: { id: 'se_01HZZZZZZZ0123456789abcdef', status: 'waiting' } }));
    try {
      const agentSession = new voice.AgentSession({});
      const plugin = new AvatarSession({ avatarId: 'av_01HZZZZZZZ0123456789abcdef', farmUrl: stand.url, apiKey: 'pf_tenant_key', latency: 'low' });
      const id = await plugin.start(agentSession, agentRoom as unknown as Room, LIVEKIT);
      expect(id).toBe('se_01HZZZZZZZ0123456789abcdef');
      expect(plugin.sessionId).toBe(id);

      // The request.
      expect(stand.requests).toHaveLength(1);
      const request = stand.requests[0]!;
      expect(request).toMatchObject({ method: 'POST', path: '/v1/sessions', authorization: 'Bearer pf_tenant_key' });
      const livekit = request.body.livekit as { url: string; token: string; agent_identity: string };
      expect(request.body).toEqual({ avatar: 'av_01HZZZZZZZ0123456789abcdef', latency: 'low', livekit: { url: LIVEKIT.livekitUrl, token: livekit.token, agent_identity: 'agent-1' } });

      // The token: signed with the API secret, the avatar's identity in the agent's room, publishing on its behalf.
      const claims = await new TokenVerifier(LIVEKIT.livekitApiKey, LIVEKIT.livekitApiSecret).verify(livekit.token);
      expect(claims).toMatchObject({
        sub: DEFAULT_AVATAR_IDENTITY,
        name: DEFAULT_AVATAR_IDENTITY,
        kind: 'agent',
        attributes: { 'lk.publish_on_behalf': 'agent-1' },
        video: { room: 'support-room', roomJoin: true, canPublish: true, canPublishData: true, canSubscribe: false },
      });
      await expect(new TokenVerifier(LIVEKIT.livekitApiKey, 'another-secret-of-at-least-32-characters').verify(livekit.token)).rejects.toThrow();
      expect(agentSession.output.audio).toBeInstanceOf(voice.DataStreamAudioOutput);

      // The farm's side: the avatar joins with that token (here in process, on the room double) ...
      avatar = await startLiveKitAvatar({
        rtc: double.rtc,
        url: livekit.url,
        token: livekit.token,
        agentIdentity: livekit.agent_identity,
        width: SIZE,
        height: SIZE,
        startSession: (handlers) =>
          startLiveSession({
            engine,
            pool,
            neutral: prepared.neutral,
            rest: createIdleMotion({ seed: 7, fps: engine.pack.fps, channelMean: engine.pack.channelMean, channelStd: engine.pack.channelStd }),
            features: () => streamFeatures(engine.audio.featureStream()),
            onFrame: handlers.onFrame,
            onEvent: handlers.onEvent,
          }),
      });
      expect(readToken(livekit.token).identity).toBe(DEFAULT_AVATAR_IDENTITY);
      await plugin.waitForJoin({ timeout: 5000 });

      // ... and the agent's speech (its TTS at 24 kHz) plays there.
      const speech = (await decodeAudio(`${fixtures}speech-3s.wav`, { sampleRate: AVATAR_SAMPLE_RATE })).samples.subarray(0, AVATAR_SAMPLE_RATE);
      const output = agentSession.output.audio!;
      for (let at = 0; at < speech.length; at += 480) {
        const chunk = Int16Array.from(speech.subarray(at, at + 480), (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32768))));
        await output.captureFrame(new AudioFrame(chunk, AVATAR_SAMPLE_RATE, 1, chunk.length));
      }
      output.flush();
      const finished = await output.waitForPlayout();
      expect(finished).toMatchObject({ playbackPosition: 1, interrupted: false });
    } finally {
      await avatar?.close();
      await pool.close();
      stand.server.close();
    }
  }, 240_000);

  it('names the farm\'s refusal', async () => {
    const stand = await farm(() => ({ status: 503, body: { error: { code: 'GATEWAY_NO_SESSION_CAPACITY', message: 'Every worker is full.' } }, headers: { 'retry-after': '7' } }));
    try {
      const plugin = new AvatarSession({ avatarId: 'av_01HZZZZZZZ0123456789abcdef', farmUrl: stand.url, apiKey: 'k', avatarParticipantIdentity: 'face', avatarParticipantName: 'Face' });
      const refused = await plugin.start(new voice.AgentSession({}), agentRoom as unknown as Room, LIVEKIT).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(PortraitFarmPluginError);
      expect(refused).toMatchObject({ code: 'PLUGIN_SESSION_REFUSED', status: 503, farmCode: 'GATEWAY_NO_SESSION_CAPACITY', message: 'the farm refused the session: 503 GATEWAY_NO_SESSION_CAPACITY Every worker is full. (retry after 7 s)' });
      const body = stand.requests[0]!.body as { livekit: { token: string } };
      expect(readToken(body.livekit.token)).toMatchObject({ identity: 'face', name: 'Face' });
    } finally {
      stand.server.close();
    }
  });

  it('checks its options', () => {
    const saved = { url: process.env.PORTRAIT_FARM_URL, key: process.env.PORTRAIT_FARM_API_KEY };
    delete process.env.PORTRAIT_FARM_URL;
    delete process.env.PORTRAIT_FARM_API_KEY;
    try {
      expect(() => new AvatarSession({ avatarId: 'av_x', apiKey: 'k' })).toThrow('farmUrl (or PORTRAIT_FARM_URL) must name the farm\'s gateway. Passed: nothing');
      expect(() => new AvatarSession({ avatarId: 'av_x', apiKey: 'k', farmUrl: 'ftp://farm' })).toThrow('farmUrl must be an http(s) URL. Passed: ftp://farm');
      expect(() => new AvatarSession({ avatarId: 'av_x', farmUrl: 'http://farm' })).toThrow('apiKey (or PORTRAIT_FARM_API_KEY)');
      process.env.PORTRAIT_FARM_URL = 'http://farm.example';
      process.env.PORTRAIT_FARM_API_KEY = 'env-key';
      expect(new AvatarSession({ avatarId: 'av_x' }).avatarIdentity).toBe(DEFAULT_AVATAR_IDENTITY);
      expect(new AvatarSession({ avatarId: 'av_x' }).provider).toBe('portrait-farm');
    } finally {
      if (saved.url === undefined) delete process.env.PORTRAIT_FARM_URL;
      else process.env.PORTRAIT_FARM_URL = saved.url;
      if (saved.key === undefined) delete process.env.PORTRAIT_FARM_API_KEY;
      else process.env.PORTRAIT_FARM_API_KEY = saved.key;
    }
  });
});
