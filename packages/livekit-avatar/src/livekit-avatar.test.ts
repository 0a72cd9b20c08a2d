import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initializeLogger, voice } from '@livekit/agents';
import { AudioFrame as RtcAudioFrame, TrackKind as RtcTrackKind, type Room } from '@livekit/rtc-node';
import { createEngine, startRenderThreads, type Engine, type RenderThreads } from '@portrait-farm/engine';
import { startLiveSession, streamFeatures, type LiveFrame } from '@portrait-farm/live';
import { until } from '@portrait-farm/live/testing';
import { decodeAudio } from '@portrait-farm/media';
import { createIdleMotion } from '@portrait-farm/motion';
import { prepareMeshwarp } from '@portrait-farm/renderer';
import { syntheticPortrait } from '@portrait-farm/renderer/testing';
import { STARTER_PACK } from '@portrait-farm/test-support/repo-models';
import { AVATAR_AUDIO_TRACK, AVATAR_VIDEO_TRACK, PUBLISH_ON_BEHALF_ATTRIBUTE, RPC_CLEAR_BUFFER, RPC_PLAYBACK_FINISHED, RPC_PLAYBACK_STARTED } from './avatar-protocol.ts';
import { startLiveKitAvatar, type LiveKitAvatar } from './livekit-avatar.ts';
import { createRoomDouble, doubleToken, type AudioSource, type DoubleRoom, type RoomDouble, type VideoSource } from './testing/index.ts';

const fixtures = new URL('../../../test/fixtures/', import.meta.url).pathname;
const URL_ = 'wss://livekit.invalid';
const ROOM = 'room-1';
const SIZE = 192;

let engine: Engine;
let threads: RenderThreads;
let speech: Int16Array;
let double: RoomDouble;
let agentRoom: DoubleRoom;
const portrait = syntheticPortrait(SIZE);
const prepared = prepareMeshwarp({ image: portrait, landmarks: portrait.landmarks });
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  initializeLogger({ pretty: false, level: 'error' });
  engine = await createEngine({ pack: STARTER_PACK, providers: ['cpu'] });
  threads = startRenderThreads(1);
  const samples = (await decodeAudio(`${fixtures}speech-3s.wav`)).samples;
  speech = Int16Array.from(samples, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32768))));
  // One agent for the file: DataStreamAudioOutput registers its playback RPCs once per process, on the first room.
  double = createRoomDouble();
  agentRoom = new double.rtc.Room();
  await agentRoom.connect(URL_, doubleToken({ identity: 'agent', room: ROOM }));
}, 120_000);

afterAll(async () => {
  await agentRoom?.disconnect();
  await threads?.close();
  await engine?.close();
});

interface Run {
  avatar: LiveKitAvatar;
  frames: LiveFrame[];
  /** performance.now() of each session.clear(). */
  clears: number[];
  output: voice.DataStreamAudioOutput;
  video: VideoSource;
  audio: AudioSource;
  close(): Promise<void>;
}

async function start(): Promise<Run> {
  const frames: LiveFrame[] = [];
  const clears: number[] = [];
  const pool = threads.portrait(prepared);
  const avatar = await startLiveKitAvatar({
    rtc: double.rtc,
    url: URL_,
    token: doubleToken({ identity: 'avatar', room: ROOM, attributes: { [PUBLISH_ON_BEHALF_ATTRIBUTE]: 'agent' } }),
    agentIdentity: 'agent',
    width: SIZE,
    height: SIZE,
    startSession: async (handlers) => {
      const session = await startLiveSession({
        engine,
        pool,
        neutral: prepared.neutral,
        rest: createIdleMotion({ seed: 7, fps: engine.pack.fps, channelMean: engine.pack.channelMean, channelStd: engine.pack.channelStd }),
        features: () => streamFeatures(engine.audio.featureStream()),
        seed: 3,
        onFrame: async (frame) => {
          frames.push({ ...frame, picture: frame.picture.slice() });
          await handlers.onFrame(frame);
        },
        onEvent: handlers.onEvent,
      });
      // When the avatar acted on lk.clear_buffer: the session's 100 ms runs from there.
      const clear = session.clear.bind(session);
      session.clear = () => {
        clears.push(performance.now());
        return clear();
      };
      return session;
    },
  });
  // The agent's side is @livekit/agents' own DataStreamAudioOutput, on the double's room.
  const output = new voice.DataStreamAudioOutput({ room: agentRoom as unknown as Room, destinationIdentity: 'avatar', sampleRate: 16000, waitRemoteTrack: RtcTrackKind.KIND_VIDEO, waitPlaybackStart: true });
  return {
    avatar,
    frames,
    clears,
    output,
    video: double.server.publishedSource('avatar', AVATAR_VIDEO_TRACK) as VideoSource,
    audio: double.server.publishedSource('avatar', AVATAR_AUDIO_TRACK) as AudioSource,
    async close() {
      await avatar.close();
      await pool.close();
    },
  };
}

/** Sends samples as the agent's TTS would, 20 ms frames; paced: in real time, stopping when `stop()` says so. */
async function say(output: voice.DataStreamAudioOutput, samples: Int16Array, paced: boolean, stop: () => boolean = () => false): Promise<void> {
  for (let at = 0; at < samples.length && !stop(); at += 320) {
    const chunk = samples.slice(at, at + 320);
    await output.captureFrame(new RtcAudioFrame(chunk, 16000, 1, chunk.length));
    if (paced) await sleep(20);
  }
  output.flush();
}

describe('LiveKit avatar on the room double', () => {
  it('plays a segment of the agent\'s speech on avatar_video and avatar_audio and reports its playback', async () => {
    const run = await start();
    try {
      // The agent sees the avatar and its tracks, published on its behalf.
      const seen = agentRoom.remoteParticipants.get('avatar')!;
      expect(seen.attributes[PUBLISH_ON_BEHALF_ATTRIBUTE]).toBe('agent');
      expect([...seen.trackPublications.values()].map((p) => [p.name, p.kind]).sort()).toEqual([
        [AVATAR_AUDIO_TRACK, RtcTrackKind.KIND_AUDIO],
        [AVATAR_VIDEO_TRACK, RtcTrackKind.KIND_VIDEO],
      ]);
      const started: number[] = [];
      run.output.on('playbackStarted', () => started.push(performance.now()));
      const rpcsBefore = double.server.rpcs.length;
      await until(() => run.video.captured.length >= 5);
      await say(run.output, speech, false);
      const finished = await run.output.waitForPlayout();
      const total = Math.ceil(speech.length / 640);
      expect(finished).toMatchObject({ playbackPosition: total / 25, interrupted: false });
      expect(started).toHaveLength(1);
      await until(() => double.server.rpcs.slice(rpcsBefore).every((r) => r.response !== null));
      const rpcs = double.server.rpcs.slice(rpcsBefore).map((r) => ({ from: r.from, to: r.to, method: r.method, payload: r.payload, response: r.response }));
      expect(rpcs).toEqual([
        { from: 'avatar', to: 'agent', method: RPC_PLAYBACK_STARTED, payload: '{}', response: 'ok' },
        { from: 'avatar', to: 'agent', method: RPC_PLAYBACK_FINISHED, payload: JSON.stringify({ playback_position: total / 25, interrupted: false }), response: 'ok' },
      ]);

      // Idle frames go on after the segment: every slot on the video track, 40 ms apart in stream time.
      const afterSpeech = run.video.captured.length;
      await sleep(1000);
      const idle = run.video.captured.slice(afterSpeech);
      expect(idle.length).toBeGreaterThanOrEqual(20);
      expect(idle.length).toBeLessThanOrEqual(28);
      const times = run.video.captured.map((f) => f.timestampUs);
      expect(times).toEqual(times.map((_, i) => BigInt(i * 40_000)));
      expect(run.video.captured.every((f) => f.width === SIZE && f.height === SIZE && f.data.length === (SIZE * SIZE * 3) / 2)).toBe(true);

      // Speech frames carry the agent's samples, exactly, on avatar_audio; the picture is the session's.
      const spoken = run.frames.filter((f) => f.kind === 'speech');
      expect(spoken).toHaveLength(total);
      const heard = new Int16Array(total * 640);
      for (const f of spoken) heard.set(run.audio.captured[f.slot]!.samples, f.speechFrame! * 640);
      expect(Buffer.from(heard.buffer, 0, speech.length * 2).equals(Buffer.from(speech.buffer, speech.byteOffset, speech.length * 2))).toBe(true);
      expect(Buffer.from(run.video.captured[spoken[10]!.slot]!.data).equals(Buffer.from(spoken[10]!.picture))).toBe(true);
      expect(run.audio.captured.every((f) => f.sampleRate === 16000 && f.channels === 1 && f.samples.length === 640)).toBe(true);
    } finally {
      await run.close();
    }
  }, 240_000);

  it('answers lk.clear_buffer within 100 ms, reports how far it got, and plays the next segment from its start', async () => {
    const run = await start();
    try {
      await until(() => run.video.captured.length >= 5);
      let startedAt = 0;
      run.output.on('playbackStarted', () => (startedAt = performance.now()));
      let cleared = false;
      const sending = say(run.output, speech, true, () => cleared);
      await until(() => startedAt > 0);
      await sleep(600);
      const clearedAt = performance.now();
      run.output.clearBuffer();
      cleared = true;
      await sending;
      const finished = await run.output.waitForPlayout();
      expect(finished.interrupted).toBe(true);
      const clearRpc = double.server.rpcs.find((r) => r.method === RPC_CLEAR_BUFFER)!;
      expect(clearRpc).toMatchObject({ from: 'agent', to: 'avatar', payload: '', response: 'ok' });
      await sleep(300);
      const spoken = run.frames.filter((f) => f.kind === 'speech' && f.utterance === 1);
      // Speech stops within 100 ms of the avatar's clear: what still went out had been planned before it (the lead).
      // The RPC's way there is a few event-loop turns in the double (about 0.2 ms when the machine is not loaded).
      const handledAt = run.clears[0]!;
      expect(handledAt - clearedAt).toBeLessThan(50);
      expect(spoken.at(-1)!.due - handledAt).toBeLessThanOrEqual(100);
      expect(run.frames.filter((f) => f.planned > handledAt).every((f) => f.kind !== 'speech')).toBe(true);
      expect(finished.playbackPosition).toBeCloseTo(spoken.length / 25, 5);
      expect(finished.playbackPosition).toBeGreaterThan(0.4);

      // The next segment plays from its first sample and ends normally.
      await say(run.output, speech.subarray(0, 8000), false);
      const next = await run.output.waitForPlayout();
      expect(next).toMatchObject({ playbackPosition: 13 / 25, interrupted: false });
      expect(run.frames.filter((f) => f.kind === 'speech' && f.utterance === 2).map((f) => f.speechFrame)).toEqual([...Array(13).keys()]);
    } finally {
      await run.close();
    }
  }, 240_000);

  it('ends a segment cleared before it played as interrupted at 0, so the agent is never left waiting', async () => {
    const run = await start();
    try {
      await until(() => run.video.captured.length >= 3);
      // Two segments sent at once, cleared before the first frame of speech can be out.
      const startedBefore = double.server.rpcs.filter((r) => r.method === RPC_PLAYBACK_STARTED).length;
      await say(run.output, speech.subarray(0, 16000), false);
      await sleep(5); // the agent closes a segment's stream asynchronously; the next segment opens a new one
      await say(run.output, speech.subarray(16000, 32000), false);
      run.output.clearBuffer();
      const finished = await run.output.waitForPlayout();
      expect(finished.interrupted).toBe(true);
      await until(() => run.output.pendingPlayoutSegments === 0);
      const finishes = double.server.rpcs.filter((r) => r.method === RPC_PLAYBACK_FINISHED).slice(-2);
      expect(finishes.map((r) => JSON.parse(r.payload) as unknown)).toEqual([
        { playback_position: 0, interrupted: true },
        { playback_position: 0, interrupted: true },
      ]);
      // Nothing of either segment was shown.
      expect(double.server.rpcs.filter((r) => r.method === RPC_PLAYBACK_STARTED)).toHaveLength(startedBefore);
      await sleep(300);
      expect(run.frames.every((f) => f.kind !== 'speech')).toBe(true);
    } finally {
      await run.close();
    }
  }, 240_000);

  it('leaves the room when the agent does', async () => {
    const own = createRoomDouble();
    const agent = new own.rtc.Room();
    await agent.connect(URL_, doubleToken({ identity: 'agent', room: ROOM }));
    const pool = threads.portrait(prepared);
    const avatar = await startLiveKitAvatar({
      rtc: own.rtc,
      url: URL_,
      token: doubleToken({ identity: 'avatar', room: ROOM }),
      agentIdentity: 'agent',
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
    try {
      expect(agent.remoteParticipants.has('avatar')).toBe(true);
      await agent.disconnect();
      expect(await avatar.ended).toBe('agent_left');
      expect(avatar.room.isConnected).toBe(false);
    } finally {
      await avatar.close();
      await pool.close();
    }
  }, 120_000);
});

describe('LiveKit avatar failures', () => {
  it('ends failed, naming the problem, when the session fails', async () => {
    const own = createRoomDouble();
    const agent = new own.rtc.Room();
    await agent.connect(URL_, doubleToken({ identity: 'agent', room: ROOM }));
    const pool = threads.portrait(prepared);
    const logged: string[] = [];
    const avatar = await startLiveKitAvatar({
      rtc: own.rtc,
      url: URL_,
      token: doubleToken({ identity: 'avatar', room: ROOM }),
      agentIdentity: 'agent',
      width: SIZE,
      height: SIZE,
      log: (message) => logged.push(message),
      startSession: (handlers) =>
        startLiveSession({
          engine,
          pool,
          neutral: prepared.neutral,
          rest: createIdleMotion({ seed: 7, fps: engine.pack.fps, channelMean: engine.pack.channelMean, channelStd: engine.pack.channelStd }),
          features: () => streamFeatures(engine.audio.featureStream()),
          onFrame: async (frame) => {
            if (frame.slot === 5) throw new Error('the render threads are gone');
            await handlers.onFrame(frame);
          },
          onEvent: handlers.onEvent,
        }),
    });
    try {
      expect(await avatar.ended).toBe('failed');
      expect(logged.join('\n')).toContain('session: the render threads are gone');
      expect(agent.remoteParticipants.has('avatar')).toBe(false);
    } finally {
      await avatar.close();
      await pool.close();
      await agent.disconnect();
    }
  }, 120_000);

  it('refuses options it cannot use, naming them', { timeout: 120_000 }, async () => {
    const own = createRoomDouble();
    const base = { rtc: own.rtc, url: URL_, token: doubleToken({ identity: 'avatar', room: ROOM }), agentIdentity: 'agent', width: SIZE, height: SIZE, startSession: () => Promise.reject(new Error('not started')) };
    await expect(startLiveKitAvatar({ ...base, width: 191 })).rejects.toThrow('width and height must be positive even integers. Passed: 191x192');
    await expect(startLiveKitAvatar({ ...base, agentIdentity: '' })).rejects.toThrow('agentIdentity must name the agent participant');
    // Pictures of another size than announced: the first frame fails, and so does the start.
    const pool = threads.portrait(prepared);
    try {
      const start = startLiveKitAvatar({
        ...base,
        width: SIZE + 2,
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
      await expect(start).rejects.toThrow(`a ${String(SIZE + 2)}x${String(SIZE)} yuv420p picture has ${String(((SIZE + 2) * SIZE * 3) / 2)} bytes. Received: ${String((SIZE * SIZE * 3) / 2)}`);
    } finally {
      await pool.close();
    }
  });
});
