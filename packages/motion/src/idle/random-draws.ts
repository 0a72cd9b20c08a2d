import { uniformWords, unitInterval } from '../rng.ts';

/** `count` uniforms in (0, 1) of stream (seed, stream, domain): the random draws of one event. */
export function uniformDraws(seed: number, stream: number, domain: number, count: number): number[] {
  return Array.from(uniformWords(seed, stream, domain, count), unitInterval);
}

/** A value between `min` and `max` from a uniform draw `u` in (0, 1). */
export function between(min: number, max: number, u: number): number {
  return min + (max - min) * u;
}
