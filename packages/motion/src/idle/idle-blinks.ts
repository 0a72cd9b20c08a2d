import { RNG_DOMAIN } from '../rng.ts';
import { between, uniformDraws } from './random-draws.ts';

/** Seconds from one blink (or double blink) to the next, peak to peak. */
export const BLINK_GAP_SECONDS: readonly [number, number] = [2, 6];
/** Seconds from the lids starting to close to fully open again. */
export const BLINK_DURATION_SECONDS: readonly [number, number] = [0.15, 0.25];
/** Share of blinks followed at once by a second one. */
export const DOUBLE_BLINK_SHARE = 0.15;
/** Seconds the eyes stay open between the two blinks of a double blink. */
const DOUBLE_BLINK_PAUSE_SECONDS: readonly [number, number] = [0.08, 0.2];

/** One blink in frames (fractional): the lids close over `closing` frames up to `peakFrame`, open over `opening`. */
interface ScheduledBlink {
  peakFrame: number;
  closing: number;
  opening: number;
}

export interface IdleBlinks {
  /** The next frame's lid closure, 0 open to 1 closed (both eyes). */
  next(): number;
}

function closure(blink: ScheduledBlink, frame: number): number {
  const d = frame - blink.peakFrame;
  if (d <= -blink.closing || d >= blink.opening) return 0;
  const phase = d < 0 ? d / blink.closing : d / blink.opening;
  return (1 + Math.cos(Math.PI * phase)) / 2;
}

function timedBlink(peakFrame: number, durationSeconds: number, fps: number): ScheduledBlink {
  return { peakFrame, closing: (durationSeconds * fps) / 3, opening: (2 * durationSeconds * fps) / 3 };
}

/**
 * Blinks at natural random intervals: the gap to the next group is triangular over 2-6 s (mean 4 s, about 15 a
 * minute, a resting rate), each blink closes fully in a third of its 150-250 ms and opens in the rest, and one
 * group in seven is a double blink. Group n draws from stream (seed, n); peaks fall on frames so every blink
 * shows fully closed lids.
 */
export function createIdleBlinks(seed: number, fps: number): IdleBlinks {
  const pending: ScheduledBlink[] = [];
  let group = 0;
  let lastPeak = 0;
  let frame = 0;
  const scheduleGroup = (): void => {
    const [u0, u1, u2, u3, u4, u5] = uniformDraws(seed, group, RNG_DOMAIN.idleBlinks, 6);
    group += 1;
    const gap = between(BLINK_GAP_SECONDS[0], BLINK_GAP_SECONDS[1], (u0! + u1!) / 2);
    const first = timedBlink(Math.round(lastPeak + gap * fps), between(BLINK_DURATION_SECONDS[0], BLINK_DURATION_SECONDS[1], u2!), fps);
    pending.push(first);
    lastPeak = first.peakFrame;
    if (u3! < DOUBLE_BLINK_SHARE) {
      const secondDuration = between(BLINK_DURATION_SECONDS[0], BLINK_DURATION_SECONDS[1], u5!);
      const pause = between(DOUBLE_BLINK_PAUSE_SECONDS[0], DOUBLE_BLINK_PAUSE_SECONDS[1], u4!) * fps;
      const second = timedBlink(0, secondDuration, fps);
      second.peakFrame = Math.ceil(first.peakFrame + first.opening + pause + second.closing);
      pending.push(second);
      lastPeak = second.peakFrame;
    }
  };
  return {
    next() {
      while (pending.length === 0 || pending[pending.length - 1]!.peakFrame - pending[pending.length - 1]!.closing <= frame) scheduleGroup();
      while (pending[0]!.peakFrame + pending[0]!.opening <= frame) pending.shift();
      let value = 0;
      for (const blink of pending) value = Math.max(value, closure(blink, frame));
      frame += 1;
      return value;
    },
  };
}
