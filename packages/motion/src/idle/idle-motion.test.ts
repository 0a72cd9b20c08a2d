import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createAudioFrontEnd } from '@portrait-farm/audio-features';
import { CHANNEL, MOTION_CHANNEL_COUNT as C, MOTION_CHANNELS } from '@portrait-farm/contracts';
import { loadModelPack, type ModelPack } from '@portrait-farm/model-pack';
import { STARTER_PACK } from '@portrait-farm/test-support/repo-models';
import { beforeAll, describe, expect, it } from 'vitest';
import { isMotionError } from '../errors.ts';
import { createMotionGenerator } from '../motion-generator.ts';
import { createBreathing } from './breathing.ts';
import { createIdleMotion, type IdleMotion, type IdleState } from './idle-motion.ts';
import { MOUTH_CHANNELS, REST_MOUTH } from './rest-pose.ts';

const FPS = 25;
const speechFile = new URL('../../../../test/fixtures/demo-speech-20s.ogg', import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(`${STARTER_PACK}/manifest.json`, 'utf8')) as { channel_mean: number[]; channel_std: number[] };
const BLINKS = new Set<number>([CHANNEL.blink_l, CHANNEL.blink_r]);

function generator(seed = 3): IdleMotion {
  return createIdleMotion({ seed, fps: FPS, channelMean: manifest.channel_mean, channelStd: manifest.channel_std });
}

function run(motion: IdleMotion, states: IdleState[]): Float32Array {
  const out = new Float32Array(states.length * C);
  states.forEach((state, f) => out.set(motion.next(state), f * C));
  return out;
}

const seconds = (s: number, state: IdleState): IdleState[] => Array<IdleState>(Math.round(s * FPS)).fill(state);
const channel = (track: Float32Array, c: number): number[] => Array.from({ length: track.length / C }, (_, f) => track[f * C + c]!);
const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
const spread = (values: number[]): number => Math.sqrt(mean(values.map((v) => (v - mean(values)) ** 2)));
const steps = (values: number[]): number[] => values.slice(1).map((v, i) => Math.abs(v - values[i]!));
const percentile = (values: number[], p: number): number => [...values].sort((a, b) => a - b)[Math.floor(p * (values.length - 1))]!;

/** Runs of frames with the lids not fully open: [first frame, frame count, largest closure]. */
function blinkRuns(track: Float32Array): Array<[number, number, number]> {
  const lids = channel(track, CHANNEL.blink_l);
  const runs: Array<[number, number, number]> = [];
  lids.forEach((v, f) => {
    if (v <= 0) return;
    const last = runs[runs.length - 1];
    if (last !== undefined && last[0] + last[1] === f) {
      last[1] += 1;
      last[2] = Math.max(last[2], v);
    } else runs.push([f, 1, v]);
  });
  return runs;
}

describe('createIdleMotion', () => {
  let pack: ModelPack;
  /** 22 s of speech motion from the starter pack's denoiser (seed 0), and its largest step per channel. */
  let speech: Float32Array;
  let speechStep: number[];

  beforeAll(async () => {
    pack = await loadModelPack(STARTER_PACK);
    const decoded = execFileSync('ffmpeg', ['-v', 'error', '-i', speechFile, '-ac', '1', '-ar', '16000', '-f', 'f32le', '-'], { maxBuffer: 1 << 26 });
    const samples = new Float32Array(decoded.buffer, decoded.byteOffset, decoded.length / 4).slice();
    const frontEnd = await createAudioFrontEnd({ melModel: pack.audio.mel, embeddingModel: pack.audio.embedding, providers: ['cpu'] });
    const features = await frontEnd.features(samples);
    await frontEnd.close();
    const motionGenerator = await createMotionGenerator(pack, null, { seed: 0 });
    speech = (await motionGenerator.generateAll(features)).data;
    await motionGenerator.close();
    speechStep = MOTION_CHANNELS.map((_, c) => Math.max(...steps(channel(speech, c))));
  }, 120_000);

  /** Channels (eyelids aside) whose largest frame-to-frame step is larger than speech's, with both steps. */
  const stepsBeyondSpeech = (track: Float32Array): string[] => MOTION_CHANNELS.flatMap((name, c) => {
    const largest = Math.max(...steps(channel(track, c)));
    return BLINKS.has(c) || largest <= speechStep[c]! ? [] : [`${name}: ${largest} > ${speechStep[c]!}`];
  });

  it('gives the same frames for the same seed and calls, other frames for another seed', () => {
    const calls = (motion: IdleMotion): Float32Array => {
      const first = run(motion, [...seconds(4, 'idle'), ...seconds(4, 'listening')]);
      motion.startFrom(speech.subarray(100 * C, 110 * C));
      return Float32Array.of(...first, ...run(motion, seconds(3, 'idle')), ...motion.tail());
    };
    const a = calls(generator(11));
    expect(Buffer.from(calls(generator(11)).buffer).equals(Buffer.from(a.buffer))).toBe(true);
    expect(Buffer.from(calls(generator(12)).buffer).equals(Buffer.from(a.buffer))).toBe(false);
  });

  it('blinks both eyes every 2-6 s for 150-250 ms, fully closed, sometimes twice', () => {
    let groups = 0;
    let doubles = 0;
    for (const seed of [0, 1, 2, 3, 4]) {
      const track = run(generator(seed), seconds(60, 'idle'));
      expect(channel(track, CHANNEL.blink_r)).toEqual(channel(track, CHANNEL.blink_l));
      // a blink cut off by the end of the minute is left out
      const runs = blinkRuns(track).filter(([first, frames]) => first + frames < track.length / C);
      for (const [, frames, peak] of runs) {
        expect(peak).toBe(1);
        // a blink of D s shows on the frames strictly inside its D * fps frames: 4 frames for 150 ms, 7 for 250 ms
        expect(frames).toBeGreaterThanOrEqual(4);
        expect(frames).toBeLessThanOrEqual(7);
      }
      const peaks = runs.map(([first, frames]) => first + frames / 2);
      const starts = peaks.filter((p, i) => i === 0 || p - peaks[i - 1]! > 0.6 * FPS);
      doubles += peaks.length - starts.length;
      groups += starts.length;
      expect(starts.length).toBeGreaterThanOrEqual(10);
      expect(starts.length).toBeLessThanOrEqual(30);
      const groupEnds = peaks.filter((p, i) => i === peaks.length - 1 || peaks[i + 1]! - p > 0.6 * FPS);
      starts.slice(1).forEach((start, i) => {
        const gap = (start - groupEnds[i]!) / FPS;
        expect(gap).toBeGreaterThanOrEqual(2 - 0.2);
        expect(gap).toBeLessThanOrEqual(6 + 0.2);
      });
    }
    expect(doubles / groups).toBeGreaterThan(0.05);
    expect(doubles / groups).toBeLessThan(0.3);
  });

  it('keeps the mouth at rest, unmoving, while idle, listening and switching between them', () => {
    const states = [...seconds(60, 'idle'), ...seconds(60, 'listening')];
    for (let s = 0; s < 60; s += 3) states.push(...seconds(1.5, 'idle'), ...seconds(1.5, 'listening'));
    const track = run(generator(), states);
    MOUTH_CHANNELS.forEach((name, i) => {
      expect(new Set(channel(track, CHANNEL[name]))).toEqual(new Set([Math.fround(REST_MOUTH[i]!)]));
    });
  });

  it('never steps further in a frame than the denoiser does in speech (eyelids aside)', () => {
    const states = [...seconds(60, 'idle'), ...seconds(60, 'listening')];
    for (let s = 0; s < 60; s += 3) states.push(...seconds(1.5, 'idle'), ...seconds(1.5, 'listening'));
    for (const seed of [0, 3, 7]) expect(stepsBeyondSpeech(run(generator(seed), states))).toEqual([]);
  });

  it('listens visibly unlike it idles: eyes on the camera, head tilted and leaning in, brows up, nods', () => {
    const idle = run(generator(), seconds(60, 'idle')).subarray(5 * FPS * C);
    const listening = run(generator(), seconds(60, 'listening')).subarray(5 * FPS * C);
    const of = (track: Float32Array, name: keyof typeof CHANNEL): number[] => channel(track, CHANNEL[name]);
    expect(mean(of(listening, 'brow_raise')) - mean(of(idle, 'brow_raise'))).toBeGreaterThan(0.1);
    expect(Math.abs(mean(of(listening, 'head_roll')) - mean(of(idle, 'head_roll')))).toBeGreaterThan(1.5);
    expect(mean(of(listening, 'head_scale')) - mean(of(idle, 'head_scale'))).toBeGreaterThan(0.008);
    // the eyes wander at rest, and hold still on the camera while listening
    expect(spread(of(idle, 'gaze_x'))).toBeGreaterThan(2.5 * spread(of(listening, 'gaze_x')));
    // nods: quicker pitch moves than the drift and breathing of rest
    expect(percentile(steps(of(listening, 'head_pitch')), 0.95)).toBeGreaterThan(2 * percentile(steps(of(idle, 'head_pitch')), 0.95));
  });

  it('breathes in cycles of 4-6 s', () => {
    const breathing = createBreathing(5, FPS);
    const level = Array.from({ length: 120 * FPS }, () => breathing.next());
    const tops = level.flatMap((v, f) => (f > 0 && f < level.length - 1 && v > level[f - 1]! && v >= level[f + 1]! ? [f] : []));
    expect(tops.length).toBeGreaterThanOrEqual(20);
    tops.slice(1).forEach((top, i) => {
      expect((top - tops[i]!) / FPS).toBeGreaterThanOrEqual(4 - 1 / FPS);
      expect((top - tops[i]!) / FPS).toBeLessThanOrEqual(6 + 1 / FPS);
    });
  });

  it('continues from the last frame of speech without a jump and relaxes the mouth and head to rest', () => {
    // the speech frame furthest from the rest pose in head yaw, with the mouth open
    const yaw = channel(speech, CHANNEL.head_yaw);
    let far = 0;
    yaw.forEach((v, f) => {
      if (f >= 10 && speech[f * C + CHANNEL.jaw_open]! > 0.3 && Math.abs(v) > Math.abs(yaw[far]!)) far = f;
    });
    for (const state of ['idle', 'listening'] as const) {
      const motion = generator();
      run(motion, seconds(7, state));
      motion.startFrom(speech.subarray((far - 9) * C, (far + 1) * C));
      const after = run(motion, seconds(4, state));
      const joined = Float32Array.of(...speech.subarray(far * C, (far + 1) * C), ...after);
      expect(stepsBeyondSpeech(joined)).toEqual([]);
      const rested = after.subarray(Math.round(0.32 * FPS) * C);
      MOUTH_CHANNELS.forEach((name, i) => expect(new Set(channel(rested, CHANNEL[name]))).toEqual(new Set([Math.fround(REST_MOUTH[i]!)])));
      expect(Math.abs(after[(after.length / C - 1) * C + CHANNEL.head_yaw]! - manifest.channel_mean[CHANNEL.head_yaw]!)).toBeLessThan(3);
    }
  });

  it('carries on the speed speech had when it stopped, then slows down, so the head neither jumps nor halts', () => {
    const yaw = channel(speech, CHANNEL.head_yaw);
    let fastest = 10;
    for (let f = 10; f < yaw.length; f++) if (Math.abs(yaw[f]! - yaw[f - 1]!) > Math.abs(yaw[fastest]! - yaw[fastest - 1]!)) fastest = f;
    const speed = yaw[fastest]! - yaw[fastest - 1]!;
    const motion = generator();
    run(motion, seconds(7, 'idle'));
    motion.startFrom(speech.subarray((fastest - 9) * C, (fastest + 1) * C));
    const after = run(motion, seconds(4, 'idle'));
    const joined = Float32Array.of(...speech.subarray(fastest * C, (fastest + 1) * C), ...after);
    expect(stepsBeyondSpeech(joined)).toEqual([]);
    const firstSteps = steps(channel(joined, CHANNEL.head_yaw)).slice(0, 3).map((step, i) => Math.sign(after[i * C + CHANNEL.head_yaw]! - joined[i * C + CHANNEL.head_yaw]!) * step);
    expect(firstSteps[0]! / speed).toBeGreaterThan(0.6);
    expect(firstSteps[0]! / speed).toBeLessThan(1.2);
    expect(Math.abs(firstSteps[2]!)).toBeLessThan(Math.abs(firstSteps[0]!));
  });

  it('gives the last K frames that went out, normalised, as a speech window context', () => {
    const motion = generator();
    const frames = run(motion, seconds(2, 'idle'));
    const normalise = (values: ArrayLike<number>): Float32Array => Float32Array.from(values, (v, i) => (v - manifest.channel_mean[i % C]!) / manifest.channel_std[i % C]!);
    expect(Array.from(motion.tail())).toEqual(Array.from(normalise(frames.subarray(frames.length - 10 * C))));
    const recent = speech.subarray(40 * C, 43 * C);
    motion.startFrom(recent);
    const padded = Float32Array.of(...Array.from({ length: 7 }, () => Array.from(recent.subarray(0, C))).flat(), ...recent);
    expect(Array.from(motion.tail())).toEqual(Array.from(normalise(padded)));
    const next = motion.next('idle');
    expect(Array.from(motion.tail().subarray(9 * C))).toEqual(Array.from(normalise(next)));
  });

  it('refuses options and frames it cannot use, naming what it expected', () => {
    const bad = (make: () => unknown, text: RegExp): void => {
      let thrown: unknown;
      try {
        make();
      } catch (error) {
        thrown = error;
      }
      expect(isMotionError(thrown)).toBe(true);
      expect((thrown as Error).message).toMatch(text);
    };
    bad(() => createIdleMotion({ fps: 100, channelMean: manifest.channel_mean, channelStd: manifest.channel_std }), /fps must be between 12 and 60. Passed: 100/);
    bad(() => createIdleMotion({ channelMean: [0], channelStd: manifest.channel_std }), /channelMean must hold 20 finite numbers. Passed: 1 values/);
    bad(() => createIdleMotion({ channelMean: manifest.channel_mean, channelStd: manifest.channel_mean }), /channelStd must hold 20 positive/);
    bad(() => generator().startFrom(new Float32Array(30)), /startFrom takes n >= 1 frames of 20 finite values. Passed: 30 values/);
    bad(() => generator().next('talking' as IdleState), /state must be "idle" or "listening"/);
  });
});
