import { DEFAULT_LOOKAHEAD_MS } from '@portrait-farm/audio-features';
import type { LiveLatencyMode } from '@portrait-farm/contracts';
import { DEFAULT_HOP_FRAMES, DEFAULT_LIVE_STEPS, DEFAULT_LOOKAHEAD_FRAMES, DEFAULT_START_MARGIN_MS } from './live-session.ts';

/** The session settings of a latency mode, and the feature stream's look-ahead that goes with them. */
export interface LatencySettings {
  hopFrames: number;
  lookaheadFrames: number;
  steps: number;
  startMarginMs: number;
  featureLookaheadMs: number;
  /** The motion runs on the pack's model for sessions (`live_denoiser`) instead of its batch denoiser. */
  liveModel: boolean;
}

/** The session timing a pack gives its model for sessions (ModelPack.liveDenoiser). */
export interface LiveModelTiming {
  hopFrames: number;
  lookaheadFrames: number;
  featureLookaheadMs: number;
  defaultSteps: number;
}

/** The start margin of `low`, with or without a model for sessions. */
const LOW_START_MARGIN_MS = 40;

/** Chosen by measurement: docs/realtime.md, "Latency" (test/bench/live-motion.ts, npm run bench:live). */
const BATCH_MODEL_MODES: Readonly<Record<LiveLatencyMode, LatencySettings>> = Object.freeze({
  quality: { hopFrames: DEFAULT_HOP_FRAMES, lookaheadFrames: DEFAULT_LOOKAHEAD_FRAMES, steps: DEFAULT_LIVE_STEPS, startMarginMs: DEFAULT_START_MARGIN_MS, featureLookaheadMs: DEFAULT_LOOKAHEAD_MS, liveModel: false },
  low: { hopFrames: 3, lookaheadFrames: 1, steps: DEFAULT_LIVE_STEPS, startMarginMs: LOW_START_MARGIN_MS, featureLookaheadMs: 80, liveModel: false },
});

/**
 * A mode's settings. `low` on a pack with a model for sessions runs it at the timing the pack gives it; without
 * one, and `quality` always, the batch denoiser with a longer look-ahead.
 */
export function latencySettings(mode: LiveLatencyMode, liveModel: LiveModelTiming | null = null): LatencySettings {
  if (mode !== 'low' || liveModel === null) return BATCH_MODEL_MODES[mode];
  return {
    hopFrames: liveModel.hopFrames,
    lookaheadFrames: liveModel.lookaheadFrames,
    steps: liveModel.defaultSteps,
    startMarginMs: LOW_START_MARGIN_MS,
    featureLookaheadMs: liveModel.featureLookaheadMs,
    liveModel: true,
  };
}
