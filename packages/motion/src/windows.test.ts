import { describe, expect, it } from 'vitest';
import { MotionError } from './errors.ts';
import { checkFeatures, windowAudio, type FeatureMatrix } from './windows.ts';

const DIM = 2;
const W = 4;
const SILENCE = new Float32Array([-1, -1]);

/** Rows [start, end) of a clip whose frame f has the values (f, f + 0.5). */
function rows(start: number, end: number, clipFrameCount?: number): FeatureMatrix {
  const data = new Float32Array((end - start) * DIM);
  for (let f = start; f < end; f++) data.set([f, f + 0.5], (f - start) * DIM);
  return { startFrame: start, frameCount: end - start, dim: DIM, data, ...(clipFrameCount === undefined ? {} : { clipFrameCount }) };
}

const framesOf = (audio: Float32Array): number[] => Array.from({ length: audio.length / DIM }, (_, r) => audio[r * DIM]!);

describe('windowAudio', () => {
  it('reads a whole-clip matrix by frame and pads past its end with silence', () => {
    const whole = rows(0, 10);
    delete whole.startFrame;
    expect(framesOf(windowAudio(whole, 0, W, SILENCE))).toEqual([0, 1, 2, 3]);
    expect(framesOf(windowAudio(whole, 2, W, SILENCE))).toEqual([8, 9, -1, -1]);
    expect(framesOf(windowAudio(whole, 3, W, SILENCE))).toEqual([-1, -1, -1, -1]);
  });

  it('reads a partial matrix by clip frame, equal to the same window of the whole clip', () => {
    const whole = rows(0, 10);
    const segment = rows(4, 10, 10);
    expect(windowAudio(segment, 1, W, SILENCE)).toEqual(windowAudio(whole, 1, W, SILENCE));
    expect(windowAudio(segment, 2, W, SILENCE)).toEqual(windowAudio(whole, 2, W, SILENCE));
    expect(framesOf(windowAudio(rows(4, 8, 10), 1, W, SILENCE))).toEqual([4, 5, 6, 7]);
    expect(windowAudio(rows(4, 8, 10), 1, W, SILENCE).subarray(2, 4)).toEqual(new Float32Array([5, 5.5]));
  });

  it('names the window and the rows a partial matrix lacks', () => {
    const segment = rows(4, 8, 10);
    const read = (index: number): (() => Float32Array) => () => windowAudio(segment, index, W, SILENCE);
    expect(read(0)).toThrow(MotionError);
    expect(read(0)).toThrow("window 0 reads feature rows [0, 4) of the clip's 10; the features hold rows [4, 8) only");
    expect(read(2)).toThrow("window 2 reads feature rows [8, 10) of the clip's 10; the features hold rows [4, 8) only");
    expect(() => windowAudio(rows(4, 7, 10), 1, W, SILENCE)).toThrow(expect.objectContaining({ code: 'MOTION_MISSING_FEATURES' }));
    expect(framesOf(windowAudio(segment, 3, W, SILENCE))).toEqual([-1, -1, -1, -1]);
  });
});

describe('checkFeatures', () => {
  it('refuses a start or clip length that does not fit the rows', () => {
    expect(() => checkFeatures(rows(4, 8, 10), DIM)).not.toThrow();
    expect(() => checkFeatures(rows(4, 8, 7), DIM)).toThrow("audio features' clipFrameCount must be an integer at or past their last row (frame 8). Passed: 7");
    expect(() => checkFeatures({ ...rows(0, 2), startFrame: -1 }, DIM)).toThrow("audio features' startFrame must be a non-negative integer. Passed: -1");
  });
});
