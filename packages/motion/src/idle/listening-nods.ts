import { RNG_DOMAIN } from '../rng.ts';
import { between, uniformDraws } from './random-draws.ts';

/** Seconds between nods while listening (the first comes 1-2.5 s after listening starts). */
export const NOD_GAP_SECONDS: readonly [number, number] = [2.5, 6];
/** Depth of a nod, degrees of head pitch (chin down). */
export const NOD_DEGREES: readonly [number, number] = [1.2, 2];
const NOD_SECONDS: readonly [number, number] = [0.6, 0.85];
const FIRST_NOD_SECONDS: readonly [number, number] = [1, 2.5];
/** Share of nods followed at once by a second, shallower one ("mm-hm"). */
const DOUBLE_NOD_SHARE = 0.3;
const SECOND_NOD_DEPTH = 0.6;

interface Nod {
  degrees: number;
  frames: number;
}

export interface ListeningNods {
  /** The next frame's pitch offset in degrees (+ chin down). Nods start only while `listening`; one under way finishes. */
  next(listening: boolean): number;
}

/**
 * Small nods now and then while listening: a raised-cosine dip of the chin and back, 0.6-0.85 s, sometimes twice.
 * Nod group n, and the first wait before it, draw from stream (seed, n); the wait restarts whenever listening stops.
 */
export function createListeningNods(seed: number, fps: number): ListeningNods {
  let group = 0;
  let queue: Nod[] = [];
  let nodFrame = 0;
  let wait: number | null = null;
  const planGroup = (): void => {
    const [u0, u1, u2, u3] = uniformDraws(seed, group, RNG_DOMAIN.listeningNods, 5);
    group += 1;
    const first: Nod = { degrees: between(NOD_DEGREES[0], NOD_DEGREES[1], u0!), frames: Math.round(between(NOD_SECONDS[0], NOD_SECONDS[1], u1!) * fps) };
    queue = u2! < DOUBLE_NOD_SHARE ? [first, { degrees: SECOND_NOD_DEPTH * first.degrees, frames: first.frames }] : [first];
    wait = Math.round(between(NOD_GAP_SECONDS[0], NOD_GAP_SECONDS[1], u3!) * fps);
  };
  return {
    next(listening) {
      if (queue.length === 0) {
        if (!listening) {
          wait = null;
          return 0;
        }
        wait ??= Math.round(between(FIRST_NOD_SECONDS[0], FIRST_NOD_SECONDS[1], uniformDraws(seed, group, RNG_DOMAIN.listeningNods, 5)[4]!) * fps);
        if (wait > 0) {
          wait -= 1;
          return 0;
        }
        planGroup();
        nodFrame = 0;
      }
      const nod = queue[0]!;
      nodFrame += 1;
      const value = (nod.degrees * (1 - Math.cos((2 * Math.PI * nodFrame) / nod.frames))) / 2;
      if (nodFrame >= nod.frames) {
        queue.shift();
        nodFrame = 0;
      }
      return value;
    },
  };
}
