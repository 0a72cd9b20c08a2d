import { describe, expect, it } from 'vitest';
import { CHANNEL, MOTION_CHANNEL_COUNT as C } from '@portrait-farm/contracts';
import { retargetToPortrait } from './retarget.ts';

describe('retargetToPortrait', () => {
  const neutral = new Float32Array(C);
  neutral[CHANNEL.smile] = 0.9;
  neutral[CHANNEL.gaze_y] = -0.3;
  neutral[CHANNEL.blink_l] = 0.2;
  neutral[CHANNEL.lips_part] = 0.8;
  const mean = new Float32Array(C);
  mean[CHANNEL.smile] = 0.1;

  it('keeps the portrait expression and moves about it, leaves articulation absolute', () => {
    const frame = new Float32Array(C);
    frame[CHANNEL.smile] = 0.3;
    frame[CHANNEL.gaze_y] = 0.1;
    frame[CHANNEL.lips_part] = 0;
    frame[CHANNEL.blink_l] = 0;
    frame[CHANNEL.blink_r] = 1;
    retargetToPortrait(frame, neutral, mean);
    expect(frame[CHANNEL.smile]).toBeCloseTo(1, 6);
    expect(frame[CHANNEL.gaze_y]).toBeCloseTo(-0.2, 6);
    expect(frame[CHANNEL.lips_part]).toBe(0);
    expect(frame[CHANNEL.blink_l]).toBeCloseTo(0.2, 6);
    expect(frame[CHANNEL.blink_r]).toBe(1);
  });
});

describe('retargetToPortrait while the lips press', () => {
  it('lets the smile give way to the generated one, so the lips can seal', () => {
    const neutral = new Float32Array(C);
    neutral[CHANNEL.smile] = 0.9;
    const frame = new Float32Array(C);
    frame[CHANNEL.smile] = 0.1;
    frame[CHANNEL.lips_press] = 1;
    retargetToPortrait(frame, neutral, new Float32Array(C));
    expect(frame[CHANNEL.smile]).toBeCloseTo(0.1, 6);
  });
});
