import { CHANNEL } from './motion-channels.ts';

/**
 * How far lips_press seals the lips: none below PRESS_SEAL_START, fully from PRESS_SEAL_FULL (smoothstep). Generated
 * motion presses to about 0.65-0.8 on p/b/m; a linear seal left a third of the gap open there. The renderer seals
 * by it, and motion resampling keeps the frames it seals.
 */
export const PRESS_SEAL_START = 0.15;
export const PRESS_SEAL_FULL = 0.55;

export function pressSeal(press: number): number {
  // Clamping `press` (not t to [0, 1]) gives the same t; Math.min and Math.max return their integer results as
  // small integers, and V8, having seen t only as 0 in silence, would throw away the renderer's optimised code at
  // the first fraction. Between the two fractional bounds every value here stays a double.
  const t = (Math.min(PRESS_SEAL_FULL, Math.max(PRESS_SEAL_START, press)) - PRESS_SEAL_START) / (PRESS_SEAL_FULL - PRESS_SEAL_START);
  return t * t * (3 - 2 * t);
}

/** A frame whose lip gap is at most this reads as sealed lips (a p/b/m). */
export const SEALED_GAP = 0.06;

/** Lip gap of the motion frame at `offset`: the mouth opening, gone where lips_press seals the lips. */
export function lipGap(frame: ArrayLike<number>, offset = 0): number {
  const open = 0.7 * Math.max(0, frame[offset + CHANNEL.jaw_open]!) + 0.3 * Math.max(0, frame[offset + CHANNEL.lips_part]!);
  return open * (1 - pressSeal(frame[offset + CHANNEL.lips_press]!));
}
