import { CHANNEL, MOTION_CHANNEL_COUNT as C } from '@portrait-farm/contracts';
import { describe, expect, it } from 'vitest';
import { applyContinuity, continuityRamp } from './continuity.ts';
import { alphaBarTable } from './schedule.ts';
import { sampleWindow } from './window-sampler.ts';

const W = 4;
const K = 2;

function frames(count: number, fill: (frame: number, channel: number) => number): Float32Array {
  const out = new Float32Array(count * C);
  for (let f = 0; f < count; f++) for (let c = 0; c < C; c++) out[f * C + c] = fill(f, c);
  return out;
}

/** The cases models/training/tests/test_model_diffusion.py checks for apply_continuity too. */
function example(jawContext: number): { x0: Float64Array; context: Float32Array } {
  const context = frames(K, () => 0);
  context[CHANNEL.head_yaw] = 0.1;
  context[C + CHANNEL.head_yaw] = 0.2;
  context[CHANNEL.jaw_open] = jawContext;
  context[C + CHANNEL.jaw_open] = jawContext;
  const x0 = Float64Array.from(frames(W, () => 0.5));
  x0[CHANNEL.head_yaw] = 1;
  x0[CHANNEL.jaw_open] = 0;
  x0[CHANNEL.lips_part] = 1;
  x0[CHANNEL.upper_lip_raise] = 1;
  x0[CHANNEL.lips_press] = 0;
  return { x0, context };
}

describe('seam continuity', () => {
  it('ramps from 1 at frame 0 down a half cosine', () => {
    expect(Array.from(continuityRamp(3))).toEqual([1, 0.75, 0.25].map((v) => expect.closeTo(v, 12)));
    expect(continuityRamp(0)).toHaveLength(0);
  });

  it("pulls frame 0 onto the context's last step and fades the offset out", () => {
    const { x0, context } = example(0);
    applyContinuity(x0, context, C, continuityRamp(2));
    // head_yaw: the context steps 0.1 -> 0.2, so the window starts at 0.3; offset 0.7 fades at half weight on frame 1.
    expect(x0[CHANNEL.head_yaw]).toBeCloseTo(0.3, 6);
    expect(x0[C + CHANNEL.head_yaw]).toBeCloseTo(0.5 - 0.35, 6);
    expect(x0[2 * C + CHANNEL.head_yaw]).toBe(0.5);
    // The lips opening in one frame is smoothed like any other jump.
    expect(x0[CHANNEL.lips_part]).toBeCloseTo(0, 12);
    expect(x0[C + CHANNEL.lips_part]).toBeCloseTo(0, 12);
    expect(x0[CHANNEL.upper_lip_raise]).toBeCloseTo(0, 12);
    expect(x0[CHANNEL.smile]).toBeCloseTo(0, 12);
    expect(x0[C + CHANNEL.smile]).toBeCloseTo(0.25, 12);
  });

  it('leaves every articulator as the denoiser made it when the lips close at the start', () => {
    const { x0, context } = example(1);
    applyContinuity(x0, context, C, continuityRamp(2));
    expect(x0[CHANNEL.jaw_open]).toBe(0);
    expect(x0[CHANNEL.lips_part]).toBe(1);
    expect(x0[CHANNEL.upper_lip_raise]).toBe(1);
    expect(x0[CHANNEL.head_yaw]).toBeCloseTo(0.3, 6);
    expect(x0[CHANNEL.smile]).toBeCloseTo(0, 12);
  });

  it('acts on the sampled motion of a window with context, and never on window 0', async () => {
    const constant = 0.5;
    const session = {
      run: async () => ({ prediction: { data: new Float32Array(2 * W * C).fill(constant), dims: [2, W, C] } }),
    };
    const alphaBar = alphaBarTable({ type: 'cosine', timesteps: 1000, s: 0.008 });
    const settings = { session, alphaBar, prediction: 'x0' as const, guidance: 2, solver: 'ddim' as const, steps: 3, continuity: continuityRamp(2) };
    const conditioning = { audio: new Float32Array(W * 8), window: W, context: K, channels: C, featureDim: 8 };
    const noise = new Float64Array(W * C).fill(1);
    const context = frames(K, () => 0);
    const withContext = await sampleWindow(settings, { ...conditioning, prevMotion: context, prevKeep: 1 }, noise);
    expect(withContext[CHANNEL.head_yaw]).toBeCloseTo(0, 9);
    expect(withContext[C + CHANNEL.head_yaw]).toBeCloseTo(constant / 2, 9);
    expect(withContext[2 * C + CHANNEL.head_yaw]).toBeCloseTo(constant, 9);
    const first = await sampleWindow(settings, { ...conditioning, prevMotion: context, prevKeep: 0 }, noise);
    expect(first[CHANNEL.head_yaw]).toBeCloseTo(constant, 9);
  });
});
