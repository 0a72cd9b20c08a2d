import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL } from '@portrait-farm/contracts';
import { createEngine, retargetToPortrait, startRenderThreads, type Engine, type RenderThreads } from '@portrait-farm/engine';
import { decodeAudio } from '@portrait-farm/media';
import { applyControls, createIdleMotion } from '@portrait-farm/motion';
import { prepareMeshwarp } from '@portrait-farm/renderer';
import { syntheticPortrait } from '@portrait-farm/renderer/testing';
import { STARTER_PACK } from '@portrait-farm/test-support/repo-models';
import { startLiveSession, type LiveEvent, type LiveFrame, type LiveSessionOptions } from './live-session.ts';
import { streamFeatures } from './stream-features.ts';
import { until } from './testing/session-client.ts';

const fixtures = new URL('../../../test/fixtures/', import.meta.url).pathname;
const MOUTH = ['jaw_open', 'lips_part', 'mouth_wide', 'mouth_round', 'upper_lip_raise', 'lower_lip_tuck', 'lips_press'] as const;

let engine: Engine;
let threads: RenderThreads;
let speech: Float32Array;
const portrait = syntheticPortrait(192);
const prepared = prepareMeshwarp({ image: portrait, landmarks: portrait.landmarks });

beforeAll(async () => {
  engine = await createEngine({ pack: STARTER_PACK, providers: ['cpu'] });
  threads = startRenderThreads(1);
  speech = (await decodeAudio(`${fixtures}speech-3s.wav`)).samples;
}, 120_000);

afterAll(async () => {
  await threads?.close();
  await engine?.close();
});

interface Run {
  frames: LiveFrame[];
  events: LiveEvent[];
  session: Awaited<ReturnType<typeof startLiveSession>>;
  close(): Promise<void>;
}

async function run(options: Partial<LiveSessionOptions> = {}): Promise<Run> {
  const frames: LiveFrame[] = [];
  const events: LiveEvent[] = [];
  const pool = threads.portrait(prepared);
  const session = await startLiveSession({
    engine,
    pool,
    neutral: prepared.neutral,
    rest: createIdleMotion({ seed: 7, fps: engine.pack.fps, channelMean: engine.pack.channelMean, channelStd: engine.pack.channelStd }),
    features: () => streamFeatures(engine.audio.featureStream()),
    seed: 3,
    onFrame: (frame) => void frames.push(frame),
    onEvent: (event) => void events.push(event),
    ...options,
  });
  return {
    frames,
    events,
    session,
    async close() {
      await session.close();
      await pool.close();
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('live session', () => {
  it('sends rest frames at the full frame rate with a still mouth until audio arrives', async () => {
    const r = await run();
    try {
      await until(() => r.frames.length >= 40);
      const frames = r.frames.slice(0, 40);
      expect(frames.map((f) => f.slot)).toEqual([...Array(40).keys()]);
      expect(frames.every((f) => f.kind === 'idle' && f.pts === f.slot / 25)).toBe(true);
      expect(frames.every((f) => f.audio.every((v) => v === 0))).toBe(true);
      for (const name of MOUTH) expect(new Set(frames.map((f) => f.motion[CHANNEL[name]])).size).toBe(1);
      expect(frames[0]!.picture.length).toBe((192 * 192 * 3) / 2); // yuv420p
      // The clock: frame n goes out around its due time, never long before it.
      const early = frames.map((f) => f.due - f.rendered);
      expect(Math.max(...early)).toBeLessThanOrEqual(80 + 5);
    } finally {
      await r.close();
    }
  }, 180_000);

  it('reuses picture buffers once onFrame resolved, each picture the render of its own slot while it is handed out', async () => {
    const sent: LiveFrame[] = [];
    const copies: Uint8Array[] = [];
    const handedOut: Uint8Array[] = [];
    const r = await run({
      onFrame: async (frame) => {
        sent.push(frame);
        await sleep(1);
        copies.push(frame.picture.slice());
        handedOut.push(frame.picture);
      },
    });
    await until(() => copies.length >= 30);
    await r.close();
    expect(new Set(handedOut).size).toBeLessThan(12);
    // The same slots rendered on their own, as the session fits and renders them (no controls, yuv420p).
    const frames = sent.slice(0, 30);
    const own = threads.portrait(prepared);
    const fitted = frames.map((f) => {
      const motion = retargetToPortrait(f.motion.slice(), prepared.neutral, engine.pack.channelMean);
      return applyControls({ fps: 25, frameCount: 1, data: motion }, {}, { channelMean: engine.pack.channelMean, firstFrame: f.slot }).data;
    });
    const expected: Uint8Array[] = [];
    try {
      await own.renderFrames(frames.length, (i) => fitted[i]!, (picture) => void expected.push(picture.slice()), null, null, 'yuv420p');
    } finally {
      await own.close();
    }
    expect(new Set(expected.map((p) => Buffer.from(p).toString('base64'))).size).toBeGreaterThan(1);
    expected.forEach((picture, i) => expect(Buffer.compare(copies[i]!, picture)).toBe(0));
  }, 180_000);

  it('plays an utterance pushed at once: every audio sample goes out with the frame made from it, in order', async () => {
    const r = await run();
    try {
      await until(() => r.frames.length >= 5);
      r.session.pushAudio(speech);
      r.session.endUtterance();
      const total = Math.ceil(speech.length / 640);
      await until(() => r.events.some((e) => e.type === 'playback_finished'));
      await until(() => r.frames.filter((f) => f.kind === 'speech').length === total);
      const spoken = r.frames.filter((f) => f.kind === 'speech');
      expect(spoken.map((f) => f.speechFrame)).toEqual([...Array(total).keys()]);
      const firstSlot = spoken[0]!.slot;
      // Picture and sound stay together: speech frame f is slot firstSlot + f (none held on this machine) ...
      const held = r.frames.filter((f) => f.kind === 'held').length;
      if (held === 0) expect(spoken.every((f, i) => f.slot === firstSlot + i)).toBe(true);
      // ... and its slot plays the samples of frame f.
      const out = new Float32Array(total * 640);
      for (const f of spoken) out.set(f.audio, f.speechFrame! * 640);
      expect(Buffer.from(out.buffer, 0, speech.length * 4).equals(Buffer.from(speech.buffer, speech.byteOffset, speech.length * 4))).toBe(true);
      // The mouth moves in speech.
      const jaw = spoken.map((f) => f.motion[CHANNEL.jaw_open]!);
      expect(Math.max(...jaw) - Math.min(...jaw)).toBeGreaterThan(0.2);
      const started = r.events.find((e) => e.type === 'playback_started');
      expect(started).toMatchObject({ utterance: 1, slot: firstSlot });
      expect(r.events.find((e) => e.type === 'playback_finished')).toMatchObject({ utterance: 1, frames: total, interrupted: false });
    } finally {
      await r.close();
    }
  }, 240_000);

  it('starts speech from the pose on screen without a jump', async () => {
    const r = await run();
    try {
      await until(() => r.frames.length >= 30);
      r.session.pushAudio(speech.subarray(0, 16000));
      r.session.endUtterance();
      await until(() => r.events.some((e) => e.type === 'playback_finished'));
      const first = r.frames.findIndex((f) => f.kind === 'speech');
      const before = r.frames[first - 1]!.motion;
      const after = r.frames[first]!.motion;
      for (const name of ['head_yaw', 'head_pitch', 'head_roll', 'head_tx', 'head_ty', 'head_scale'] as const) {
        const c = CHANNEL[name];
        const step = Math.abs(after[c]! - before[c]!);
        expect(step, name).toBeLessThan(0.5 * engine.pack.channelStd[c]!);
      }
    } finally {
      await r.close();
    }
  }, 240_000);

  it('clear drops queued speech within 100 ms and says how far playback got', async () => {
    const r = await run();
    try {
      // Paced like a voice agent's TTS: 20 ms chunks in real time.
      for (let i = 0; i < 75; i++) {
        r.session.pushAudio(speech.subarray(i * 320, (i + 1) * 320));
        await sleep(20);
      }
      await until(() => r.frames.some((f) => f.kind === 'speech'));
      await sleep(200);
      const clearedAt = performance.now();
      const result = r.session.clear();
      expect(result).not.toBeNull();
      const spokenBefore = r.frames.filter((f) => f.kind === 'speech').length;
      expect(result!.positionSeconds).toBeGreaterThanOrEqual(spokenBefore / 25);
      await sleep(400);
      const afterClear = r.frames.filter((f) => f.planned > clearedAt);
      expect(afterClear.length).toBeGreaterThan(5);
      expect(afterClear.every((f) => f.kind === 'idle')).toBe(true);
      // Speech frames still sent after the clear were planned before it (at most the lead): within 100 ms.
      const lastSpeech = r.frames.filter((f) => f.kind === 'speech').at(-1)!;
      expect(lastSpeech.due - clearedAt).toBeLessThanOrEqual(100);
      expect(r.events.find((e) => e.type === 'playback_finished')).toMatchObject({ interrupted: true });
      // The next utterance plays from the start.
      r.session.pushAudio(speech.subarray(0, 8000));
      r.session.endUtterance();
      await until(() => r.events.filter((e) => e.type === 'playback_finished').length === 2);
      expect(r.frames.filter((f) => f.kind === 'speech' && f.utterance === 2).map((f) => f.speechFrame)).toEqual([...Array(13).keys()]);
    } finally {
      await r.close();
    }
  }, 240_000);

  it('shows the listening state when told to, with a still mouth', async () => {
    const r = await run();
    try {
      r.session.setState('listening');
      await until(() => r.frames.filter((f) => f.kind === 'listening').length >= 25);
      const listening = r.frames.filter((f) => f.kind === 'listening');
      for (const name of MOUTH) expect(new Set(listening.map((f) => f.motion[CHANNEL[name]])).size, name).toBe(1);
    } finally {
      await r.close();
    }
  }, 180_000);

  it('closes while an utterance waits for audio that never comes (a client gone mid-sentence)', async () => {
    const r = await run();
    r.session.pushAudio(speech.subarray(0, 16000));
    await until(() => r.frames.filter((f) => f.kind === 'speech').length >= 10);
    // Its motion has caught up with the audio: it waits for more, and the client is gone.
    await sleep(500);
    const closing = r.close().then(() => 'closed');
    expect(await Promise.race([closing, sleep(5000).then(() => 'still open after 5 s')])).toBe('closed');
  }, 60_000);
});


