import { describe, expect, it } from 'vitest';
import { syntheticPortrait } from '@portrait-farm/renderer/testing';
import { memoryClipAudio } from './clip-audio.ts';
import { prepareClipRenderer } from './clip-renderer.ts';
import type { PreparedClip } from './prepared-clip.ts';

function clipWith(controls: PreparedClip['motion']['controls']): PreparedClip {
  const portrait = syntheticPortrait(128);
  return {
    fps: 25, audioSeconds: 1, motionFrames: 25, outputFrames: 25, audio: memoryClipAudio(new Float32Array(16000)), melPeak: 0,
    source: { image: portrait, landmarks: portrait.landmarks },
    neutral: new Float32Array(20),
    motion: { seed: 1, steps: null, solver: null, guidance: null, controls },
    segments: [],
  };
}

describe('prepareClipRenderer', () => {
  it('hands the clip\'s head distance to the renderer (shown as a camera zoom), 0 without one', () => {
    expect(prepareClipRenderer(clipWith({ headDistance: -0.3 })).headDistance).toBe(-0.3);
    expect(prepareClipRenderer(clipWith({})).headDistance).toBe(0);
  });
});
