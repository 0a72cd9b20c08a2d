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
}

/** Chosen by measurement: docs/realtime.md, "Latency" (test/bench/live-motion.ts, npm run bench:live). */
const MODES: Readonly<Record<LiveLatencyMode, LatencySettings>> = Object.freeze({
  quality: { hopFrames: DEFAULT_HOP_FRAMES, lookaheadFrames: DEFAULT_LOOKAHEAD_FRAMES, steps: DEFAULT_LIVE_STEPS, startMarginMs: DEFAULT_START_MARGIN_MS, featureLookaheadMs: DEFAULT_LOOKAHEAD_MS },
  low: { hopFrames: 3, lookaheadFrames: 1, steps: DEFAULT_LIVE_STEPS, startMarginMs: 40, featureLookaheadMs: 80 },
});

export function latencySettings(mode: LiveLatencyMode): LatencySettings {
  return MODES[mode];
}
