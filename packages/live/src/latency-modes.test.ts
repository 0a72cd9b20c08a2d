import { describe, expect, it } from 'vitest';
import { DEFAULT_LOOKAHEAD_MS } from '@portrait-farm/audio-features';
import { latencySettings } from './latency-modes.ts';
import { DEFAULT_HOP_FRAMES, DEFAULT_LOOKAHEAD_FRAMES } from './live-session.ts';

const TRAINED = { hopFrames: 2, lookaheadFrames: 0, featureLookaheadMs: 40, defaultSteps: 6 };

describe('latency modes', () => {
  it('low runs a model for sessions at the timing its pack gives it, with the shorter start margin', () => {
    const low = latencySettings('low', TRAINED);
    expect(low).toMatchObject({ hopFrames: 2, lookaheadFrames: 0, featureLookaheadMs: 40, steps: 6, liveModel: true });
    expect(low.startMarginMs).toBeLessThan(latencySettings('quality', TRAINED).startMarginMs);
  });

  it('without a model for sessions, and in quality mode, runs the batch denoiser with a longer look-ahead', () => {
    const quality = latencySettings('quality', TRAINED);
    expect(quality).toMatchObject({ hopFrames: DEFAULT_HOP_FRAMES, lookaheadFrames: DEFAULT_LOOKAHEAD_FRAMES, featureLookaheadMs: DEFAULT_LOOKAHEAD_MS, liveModel: false });
    expect(latencySettings('quality')).toEqual(quality);
    const low = latencySettings('low', null);
    expect(low.liveModel).toBe(false);
    expect(low.hopFrames + low.lookaheadFrames).toBeGreaterThan(TRAINED.hopFrames + TRAINED.lookaheadFrames);
  });
});
