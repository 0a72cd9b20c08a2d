import { RNG_DOMAIN } from '../rng.ts';
import { between, uniformDraws } from './random-draws.ts';

/** Breath cycles: each lasts 4-6 s, inhaling over the first 40 % and exhaling over the rest, 75-100 % deep. */
export const BREATH_PERIOD_SECONDS: readonly [number, number] = [4, 6];
const INHALE_SHARE = 0.4;
const DEPTH: readonly [number, number] = [0.75, 1];

export interface Breathing {
  /** The next frame's breath level: 0 breathed out, up to 1 at the top of a deep breath. */
  next(): number;
}

/**
 * The breath level, frame by frame. Cycle n draws its period and depth from stream (seed, n); a cycle starts and
 * ends breathed out with a level whose slope is zero there, so a new period or depth joins without a kink.
 */
export function createBreathing(seed: number, fps: number): Breathing {
  let cycle = 0;
  let phase = 0;
  let period = 0;
  let depth = 0;
  const drawCycle = (): void => {
    const [u0, u1] = uniformDraws(seed, cycle, RNG_DOMAIN.idleBreathing, 2);
    period = between(BREATH_PERIOD_SECONDS[0], BREATH_PERIOD_SECONDS[1], u0!);
    depth = between(DEPTH[0], DEPTH[1], u1!);
  };
  drawCycle();
  return {
    next() {
      phase += 1 / (period * fps);
      if (phase >= 1) {
        phase -= 1;
        cycle += 1;
        drawCycle();
      }
      const shape = phase < INHALE_SHARE
        ? (1 - Math.cos((Math.PI * phase) / INHALE_SHARE)) / 2
        : (1 + Math.cos((Math.PI * (phase - INHALE_SHARE)) / (1 - INHALE_SHARE))) / 2;
      return depth * shape;
    },
  };
}
