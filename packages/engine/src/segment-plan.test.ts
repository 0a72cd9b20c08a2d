import { describe, expect, it } from 'vitest';
import { DEFAULT_SEGMENT_WINDOWS, LOOKBACK, planSegments } from './segment-plan.ts';

const base = { packFps: 25, window: 50, context: 10, segmentWindows: [1] };

describe('planSegments', () => {
  it('covers every output frame exactly once, in order', () => {
    for (const fps of [12, 24, 25, 29.97, 30, 60]) {
      for (const seconds of [0.5, 1.99, 2, 7.3, 61]) {
        const motionFrames = Math.ceil(seconds * 25);
        const outputFrames = Math.ceil(seconds * fps);
        for (const segmentWindows of [[1], [2], [3], DEFAULT_SEGMENT_WINDOWS, [2, 1, 5]]) {
          const plan = planSegments({ ...base, fps, motionFrames, outputFrames, segmentWindows });
          expect(plan[0]!.frameStart).toBe(0);
          expect(plan.at(-1)!.frameEnd).toBe(outputFrames);
          for (let i = 1; i < plan.length; i++) expect(plan[i]!.frameStart).toBe(plan[i - 1]!.frameEnd);
          expect(plan.at(-1)!.motionEnd).toBe(motionFrames);
        }
      }
    }
  });

  it('renders only frames whose motion the segment has: its own or the relayed context', () => {
    const fps = 12;
    const plan = planSegments({ ...base, fps, motionFrames: 500, outputFrames: 240, segmentWindows: [1] });
    for (const s of plan) {
      for (let frame = s.frameStart; frame < s.frameEnd; frame++) {
        const position = (frame * 25) / fps;
        expect(position).toBeGreaterThanOrEqual(s.index === 0 ? 0 : s.motionStart - LOOKBACK);
        if (s.index < plan.length - 1) expect(position + LOOKBACK).toBeLessThan(s.motionEnd + 1e-9);
        expect(position - LOOKBACK - 1).toBeGreaterThanOrEqual(s.motionStart - base.context - 1e-9);
      }
    }
  });

  it('groups windows into segments', () => {
    const plan = planSegments({ ...base, fps: 25, motionFrames: 230, outputFrames: 230, segmentWindows: [2] });
    expect(plan.map((s) => [s.firstWindow, s.windowCount, s.motionStart, s.motionEnd, s.frameStart, s.frameEnd])).toEqual([
      [0, 2, 0, 100, 0, 98],
      [2, 2, 100, 200, 98, 198],
      [4, 1, 200, 230, 198, 230],
    ]);
  });

  it('grows the segments as the schedule says, its last entry repeated', () => {
    // 27.4 s: 14 windows, the last of 20 motion frames.
    const plan = planSegments({ ...base, fps: 25, motionFrames: 685, outputFrames: 685, segmentWindows: DEFAULT_SEGMENT_WINDOWS });
    expect(DEFAULT_SEGMENT_WINDOWS).toEqual([1, 2, 3]);
    expect(plan.map((s) => [s.firstWindow, s.windowCount, s.motionStart, s.motionEnd, s.frameStart, s.frameEnd])).toEqual([
      [0, 1, 0, 50, 0, 48],
      [1, 2, 50, 150, 48, 148],
      [3, 3, 150, 300, 148, 298],
      [6, 3, 300, 450, 298, 448],
      [9, 3, 450, 600, 448, 598],
      [12, 2, 600, 685, 598, 685],
    ]);
  });

  it('names a bad schedule', () => {
    for (const [segmentWindows, listed] of [
      [[0], '0'],
      [[1, 2.5], '1, 2.5'],
      [[], ''],
    ] as const) {
      expect(() => planSegments({ ...base, fps: 25, motionFrames: 10, outputFrames: 10, segmentWindows })).toThrow(
        `segmentWindows must list whole numbers of at least 1. Passed: [${listed}]`,
      );
    }
  });
});
