import { CHANNEL, MOTION_CHANNEL_COUNT as C, SEALED_GAP, lipGap, type MotionChannel, type MotionTrack } from '@portrait-farm/contracts';
import { describe, expect, it } from 'vitest';
import { applyControls } from './apply-controls.ts';
import { blinkSchedule, blinkTrack } from './blink-track.ts';
import { resolveControls } from './motion-controls.ts';
import { resample, resampleRange } from './resample.ts';

const mean = Float32Array.from({ length: C }, (_, c) => (c === CHANNEL.head_yaw ? 2 : c === CHANNEL.gaze_x ? 0.1 : 0));

function track(frames: number, fill: (f: number, c: number) => number, fps = 25): MotionTrack {
  const data = new Float32Array(frames * C);
  for (let f = 0; f < frames; f++) for (let c = 0; c < C; c++) data[f * C + c] = fill(f, c);
  return { fps, frameCount: frames, data };
}

const at = (t: MotionTrack, f: number, name: MotionChannel): number => t.data[f * C + CHANNEL[name]]!;

describe('control validation', () => {
  it('names the control, the allowed values and what was passed', () => {
    expect(() => resolveControls({ emotion: 'joyful' as 'happy' })).toThrow('emotion must be one of neutral, happy, sad, angry, surprised. Passed: joyful');
    expect(() => resolveControls({ emotionIntensity: 1.5 })).toThrow('emotionIntensity must be between 0 and 1. Passed: 1.5');
    expect(() => resolveControls({ headDistance: 2 })).toThrow('headDistance must be between -0.5 and 0.5. Passed: 2');
    expect(() => resolveControls({ motionIntensity: -1 })).toThrow('motionIntensity must be between 0 and 2. Passed: -1');
    expect(() => resolveControls({ blinkRate: 100 })).toThrow('blinkRate must be between 0 and 60 blinks per minute. Passed: 100');
    expect(() => resolveControls({ gaze: { x: 2, y: 0 } })).toThrow('gaze must be "camera" or {x, y} with x and y between -1 and 1. Passed: {"x":2,"y":0}');
    expect(() => resample(track(2, () => 0), 75)).toThrow('fps must be between 12 and 60. Passed: 75');
    expect(resolveControls({})).toEqual({ gaze: null, headDistance: 0, emotion: 'neutral', emotionIntensity: 1, motionIntensity: 1, blinkRate: null, seed: 0 });
  });
});

describe('applyControls', () => {
  const base = track(50, (f, c) => (c === CHANNEL.head_yaw ? 2 + 5 * Math.sin(f / 5) : c === CHANNEL.blink_l || c === CHANNEL.blink_r ? 0.1 : c === CHANNEL.gaze_x ? 0.1 + 0.05 * Math.sin(f) : 0.2));

  it('leaves a track unchanged without controls', () => {
    expect(applyControls(base, {}, { channelMean: mean }).data).toEqual(base.data);
  });

  it('scales head motion about the mean pose and adds head distance', () => {
    const still = applyControls(base, { motionIntensity: 0, headDistance: 0.2 }, { channelMean: mean });
    const lively = applyControls(base, { motionIntensity: 2 }, { channelMean: mean });
    for (const f of [0, 7, 33]) {
      expect(at(still, f, 'head_yaw')).toBeCloseTo(2, 6);
      expect(at(lively, f, 'head_yaw') - 2).toBeCloseTo(2 * (at(base, f, 'head_yaw') - 2), 4);
      expect(at(still, f, 'head_scale')).toBeCloseTo(0.2 * 0 + 0.2 + 0.2 * 0, 6);
    }
  });

  it('adds emotion offsets scaled by intensity; eye narrowing keeps full closures', () => {
    const happy = applyControls(base, { emotion: 'happy', emotionIntensity: 0.5 }, { channelMean: mean });
    expect(at(happy, 3, 'smile')).toBeCloseTo(0.2 + 0.35, 6);
    expect(at(happy, 3, 'mouth_wide')).toBeCloseTo(0.2 + 0.075, 6);
    expect(at(happy, 3, 'brow_furrow')).toBeCloseTo(0.1, 6);
    expect(at(happy, 3, 'blink_l')).toBeCloseTo(0.1 + 0.06 * 0.9, 6);
    const closed = track(1, (_, c) => (c === CHANNEL.blink_l ? 1 : 0));
    expect(at(applyControls(closed, { emotion: 'happy' }, { channelMean: mean }), 0, 'blink_l')).toBe(1);
    const surprised = applyControls(base, { emotion: 'surprised' }, { channelMean: mean });
    expect(at(surprised, 0, 'brow_raise')).toBeCloseTo(0.95, 6);
    expect(at(surprised, 0, 'blink_r')).toBe(0); // 0.1 - 0.3 * 0.9 < 0: eyes as open as the range allows
    expect(at(applyControls(base, { emotion: 'angry' }, { channelMean: mean }), 0, 'brow_furrow')).toBeCloseTo(0.95, 6);
    expect(at(applyControls(base, { emotion: 'sad' }, { channelMean: mean }), 0, 'smile')).toBeCloseTo(-0.25, 6);
  });

  it('points the gaze at a target or at the camera (compensating head yaw)', () => {
    const target = applyControls(base, { gaze: { x: -0.5, y: 0.25 } }, { channelMean: mean });
    for (const f of [0, 9]) {
      expect(at(target, f, 'gaze_x')).toBeCloseTo(-0.5 + 0.3 * (at(base, f, 'gaze_x') - 0.1), 6);
      expect(at(target, f, 'gaze_y')).toBeCloseTo(0.25 + 0.3 * (0.2 - 0), 6);
    }
    const camera = applyControls(base, { gaze: 'camera' }, { channelMean: mean });
    for (const f of [0, 9, 20]) {
      expect(at(camera, f, 'gaze_x')).toBeCloseTo((-0.8 * at(base, f, 'head_yaw')) / 30 + 0.3 * (at(base, f, 'gaze_x') - 0.1), 6);
    }
  });

  it('replaces blinks with a seeded procedural track at the requested rate, identical when applied per segment', () => {
    const minutes = 10;
    const long = track(25 * 60 * minutes, () => 0);
    const blinked = applyControls(long, { blinkRate: 17, seed: 3 }, { channelMean: mean });
    let count = 0;
    for (let f = 1; f < long.frameCount - 1; f++) {
      const v = at(blinked, f, 'blink_l');
      if (v > 0.5 && v >= at(blinked, f - 1, 'blink_l') && v > at(blinked, f + 1, 'blink_l')) count++;
      expect(at(blinked, f, 'blink_r')).toBe(v);
    }
    expect(count / minutes).toBeGreaterThan(17 * 0.8);
    expect(count / minutes).toBeLessThan(17 * 1.2);
    const schedule = blinkSchedule(3, 17, 25, 600);
    for (const blink of schedule) {
      expect(blink.closing + blink.opening).toBeGreaterThanOrEqual(0.1);
      expect(blink.closing + blink.opening).toBeLessThanOrEqual(0.3);
      expect(blink.opening).toBeCloseTo(2 * blink.closing, 12);
    }
    expect(schedule.filter((b) => b.peak === 1).length / schedule.length).toBeGreaterThan(0.75);
    const first = applyControls(track(1234, () => 0), { blinkRate: 17, seed: 3 }, { channelMean: mean, firstFrame: 0 });
    const second = applyControls(track(long.frameCount - 1234, () => 0), { blinkRate: 17, seed: 3 }, { channelMean: mean, firstFrame: 1234 });
    expect(first.data).toEqual(blinked.data.subarray(0, 1234 * C));
    expect(second.data).toEqual(blinked.data.subarray(1234 * C));
    expect(blinkTrack(3, 0, 25, 0, 100).every((v) => v === 0)).toBe(true);
    expect(blinkTrack(4, 17, 25, 0, 2000)).not.toEqual(blinkTrack(3, 17, 25, 0, 2000));
  });
});

describe('resample', () => {
  const ramp = track(25, (f, c) => (c === CHANNEL.lips_press ? 0 : f + c / 100)); // lips never sealed

  it('interpolates linearly over the same duration', () => {
    const up = resample(ramp, 50);
    expect(up.frameCount).toBe(50);
    expect(at(up, 3, 'jaw_open')).toBeCloseTo(1.5, 6);
    expect(at(up, 49, 'jaw_open')).toBeCloseTo(24, 6);
    const thirty = resample(ramp, 30);
    expect(thirty.frameCount).toBe(30);
    expect(at(thirty, 6, 'smile')).toBeCloseTo(5 + 0.07, 5);
    expect(resample(ramp, 25).data).toEqual(ramp.data);
    expect(resample(track(0, () => 0), 30).frameCount).toBe(0);
  });

  it('keeps blink closures when downsampling', () => {
    const blinks = applyControls(track(25 * 120, () => 0), { blinkRate: 20, seed: 9 }, { channelMean: mean });
    for (const fps of [12, 15, 24]) {
      const low = resample(blinks, fps);
      for (const blink of blinkSchedule(9, 20, 25, 119)) {
        const k = Math.round(blink.at * fps);
        const near = [k - 1, k, k + 1].filter((i) => i >= 0 && i < low.frameCount).map((i) => at(low, i, 'blink_l'));
        expect(Math.max(...near), `blink at ${blink.at}s, ${fps} fps`).toBeGreaterThanOrEqual(blink.peak - 1e-6);
      }
    }
  });
});

describe('resample: lip closures', () => {
  // Speech-like mouth: open (jaw 0.5, lips 0.4) with one sealed frame (a 40 ms p/b/m at 25 fps) every 7 frames.
  const sealedEvery = 7;
  const speech = track(25 * 4, (f, c) => {
    const sealed = f % sealedEvery === 3;
    if (c === CHANNEL.jaw_open) return sealed ? 0.03 : 0.5;
    if (c === CHANNEL.lips_part) return sealed ? 0 : 0.4;
    if (c === CHANNEL.lips_press) return sealed ? 0.75 : 0;
    return 0;
  });
  const sealedFrames = Array.from({ length: speech.frameCount }, (_, f) => f).filter((f) => f % sealedEvery === 3);

  it('shows every one-frame closure on at least one output frame at every rate from 12 to 60 fps', () => {
    for (let fps = 12; fps <= 60; fps++) {
      const out = resample(speech, fps);
      for (const f of sealedFrames) {
        const near = Array.from({ length: out.frameCount }, (_, k) => k).filter((k) => Math.abs((k * 25) / fps - f) <= Math.max(0.5, 12.5 / fps) + 1e-9);
        const gaps = near.map((k) => lipGap(out.data, k * C));
        expect(Math.min(...gaps), `closure at motion frame ${f}, ${fps} fps`).toBeLessThanOrEqual(SEALED_GAP);
      }
    }
  });

  it('keeps the closure on every output frame within its 40 ms when upsampling, and opens elsewhere', () => {
    const out = resample(speech, 60);
    for (let k = 0; k < out.frameCount; k++) {
      const position = (k * 25) / 60;
      const inside = sealedFrames.some((f) => Math.abs(position - f) <= 0.5);
      expect(lipGap(out.data, k * C) <= SEALED_GAP, `output frame ${k}`).toBe(inside);
    }
  });
});

describe('resampleRange', () => {
  it('equals resample row for row from a part of the track, at every output rate', () => {
    const n = 137;
    const data = new Float32Array(n * C);
    for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.37) + ((i * 7919) % 13) / 13;
    const track = { fps: 25, frameCount: n, data };
    for (const fps of [12, 24, 25, 30, 60]) {
      const whole = resample(track, fps);
      const count = Math.ceil((n / 25) * fps);
      const start = Math.floor(count / 3);
      const end = Math.floor((2 * count) / 3);
      const firstFrame = Math.max(0, Math.floor((start * 25) / fps) - 3);
      const lastFrame = Math.min(n, Math.ceil((end * 25) / fps) + 3);
      const known = { fps: 25, frameCount: n, firstFrame, data: data.slice(firstFrame * C, lastFrame * C) };
      expect(resampleRange(known, fps, start, end)).toEqual(whole.data.slice(start * C, end * C));
    }
  });

  it('names a motion frame it does not have', () => {
    const known = { fps: 25, frameCount: 100, firstFrame: 40, data: new Float32Array(10 * C) };
    expect(() => resampleRange(known, 30, 0, 5)).toThrow('resampling needs motion frame 0, but only frames 40..49 are known');
  });
});
