import { RNG_DOMAIN } from '../rng.ts';
import { between, uniformDraws } from './random-draws.ts';

/** Seconds the eyes rest on one point before the next shift. */
export const FIXATION_SECONDS: readonly [number, number] = [1.2, 3.5];
/**
 * Largest shift per axis [x, y], in gaze units (1 = 30 degrees): 3 and 0.9 degrees. Spread over the shift's
 * frames, the eyes then step at most about as far in a frame as the starter's denoiser moves them in speech
 * (0.042 and 0.012).
 */
export const LARGEST_SHIFT: readonly [number, number] = [0.1, 0.03];
/** How far from straight ahead the eyes wander, per axis (gaze units): about 4.5 and 2.4 degrees. */
const REACH: readonly [number, number] = [0.15, 0.08];
const SHIFT_SECONDS = 0.16;

export interface GazeShifts {
  /** The next frame's gaze offset from straight ahead: [x (+ image right), y (+ down)] in gaze units. */
  next(): [number, number];
}

function smoothstep(t: number): number {
  return t * t * (3 - 2 * t);
}

/**
 * Gaze wandering at rest: fixations of 1.2-3.5 s joined by quick shifts (160 ms, so a 25 fps frame shows the
 * eyes in motion once or twice rather than a jump larger than speech ever makes). Each shift goes a small random
 * step from where the eyes are, pulled back towards straight ahead, at most {@link LARGEST_SHIFT} on each axis. The first
 * fixation is straight ahead; shift n and the fixation after it draw from stream (seed, n).
 */
export function createGazeShifts(seed: number, fps: number): GazeShifts {
  const shiftFrames = Math.max(2, Math.round(SHIFT_SECONDS * fps));
  let fixation = 0;
  let from: [number, number] = [0, 0];
  let to: [number, number] = [0, 0];
  let framesLeft = Math.round(FIXATION_SECONDS[0] * fps);
  let shiftFrame = shiftFrames;
  const planNext = (): void => {
    const [u0, u1, u2, u3] = uniformDraws(seed, fixation, RNG_DOMAIN.idleGaze, 4);
    fixation += 1;
    framesLeft = Math.round(between(FIXATION_SECONDS[0], FIXATION_SECONDS[1], u0!) * fps);
    const angle = 2 * Math.PI * u1!;
    const size = between(0.3, 1, u2!);
    const pull = between(0.3, 0.6, u3!);
    const [largestX, largestY] = LARGEST_SHIFT;
    const dx = Math.max(-largestX, Math.min(largestX, size * largestX * Math.cos(angle) - pull * to[0]));
    const dy = Math.max(-largestY, Math.min(largestY, size * largestY * Math.sin(angle) - pull * to[1]));
    from = to;
    to = [Math.max(-REACH[0], Math.min(REACH[0], from[0] + dx)), Math.max(-REACH[1], Math.min(REACH[1], from[1] + dy))];
  };
  return {
    next() {
      if (shiftFrame >= shiftFrames) {
        if (framesLeft <= 0) {
          planNext();
          shiftFrame = 0;
        } else {
          framesLeft -= 1;
          return [to[0], to[1]];
        }
      }
      shiftFrame += 1;
      const s = smoothstep(shiftFrame / shiftFrames);
      return [from[0] + s * (to[0] - from[0]), from[1] + s * (to[1] - from[1])];
    },
  };
}
