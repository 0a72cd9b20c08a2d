import { MotionError } from './errors.ts';

/**
 * Counter-based random numbers: Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", 2011)
 * keyed by the seed, with the counter (block index, stream index, 0, domain). Block n of stream (seed, i, domain)
 * is a pure function of those integers, computed with 32-bit integer arithmetic only, so every machine gives the
 * same bits. Gaussians come from pairs of uniforms through Box-Muller.
 */

/** Streams that must never overlap get different domains. */
export const RNG_DOMAIN = Object.freeze({
  windowNoise: 0x6e6f6973,
  blinks: 0x626c6e6b,
  idleBreathing: 0x62727468,
  idleDrift: 0x64726674,
  idleBlinks: 0x69626c6b,
  idleGaze: 0x67617a65,
  listeningNods: 0x6e6f6473,
  listeningTilt: 0x74696c74,
  frameNoise: 0x66726e73,
} as const);

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two uint32 values. */
function mulhi(a: number, b: number): number {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const lolo = aLo * bLo;
  const mid1 = aHi * bLo + (lolo >>> 16);
  const mid2 = aLo * bHi + (mid1 & 0xffff);
  return (aHi * bHi + (mid1 >>> 16) + (mid2 >>> 16)) >>> 0;
}

/** One Philox-4x32-10 block: four uint32 from a 4-word counter and a 2-word key. */
export function philox4x32(counter: readonly [number, number, number, number], key: readonly [number, number]): Uint32Array {
  let [c0, c1, c2, c3] = counter.map((v) => v >>> 0) as [number, number, number, number];
  let k0 = key[0] >>> 0;
  let k1 = key[1] >>> 0;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulhi(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    [c0, c1, c2, c3] = [(hi1 ^ c1 ^ k0) >>> 0, lo1, (hi0 ^ c3 ^ k1) >>> 0, lo0];
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  return Uint32Array.of(c0, c1, c2, c3);
}

/** Checks a seed: an integer in [0, 2^53). */
export function checkSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new MotionError('MOTION_BAD_OPTION', `seed must be an integer between 0 and ${Number.MAX_SAFE_INTEGER}. Passed: ${seed}`);
  }
}

function seedKey(seed: number): [number, number] {
  return [seed % 0x100000000 >>> 0, Math.floor(seed / 0x100000000) >>> 0];
}

/** `count` uint32 values of stream (seed, stream, domain). */
export function uniformWords(seed: number, stream: number, domain: number, count: number): Uint32Array {
  checkSeed(seed);
  const key = seedKey(seed);
  const out = new Uint32Array(count);
  for (let block = 0; block * 4 < count; block++) {
    const words = philox4x32([block, stream, 0, domain], key);
    for (let j = 0; j < 4 && block * 4 + j < count; j++) out[block * 4 + j] = words[j]!;
  }
  return out;
}

/** Uniform in (0, 1) from a uint32: (u + 0.5) / 2^32. */
export function unitInterval(word: number): number {
  return (word + 0.5) / 0x100000000;
}

/**
 * `count` standard normal values (rounded to float32) of stream (seed, stream, domain): value 2m and 2m+1 are the
 * Box-Muller pair of words 2m and 2m+1.
 */
export function gaussians(seed: number, stream: number, domain: number, count: number): Float32Array {
  const words = uniformWords(seed, stream, domain, count + (count % 2));
  const out = new Float32Array(count);
  for (let m = 0; 2 * m < count; m++) {
    const radius = Math.sqrt(-2 * Math.log(unitInterval(words[2 * m]!)));
    const angle = 2 * Math.PI * unitInterval(words[2 * m + 1]!);
    out[2 * m] = radius * Math.cos(angle);
    if (2 * m + 1 < count) out[2 * m + 1] = radius * Math.sin(angle);
  }
  return out;
}

/**
 * Initial noise keyed by frame instead of by window: frames [first, first + count) of C values each, frame f from
 * stream (seed, f). Windows that overlap (a live session's sliding windows) start from the same noise on the frames
 * they share, so their predictions of those frames agree.
 */
export function frameNoise(seed: number, first: number, count: number, channels: number): Float32Array {
  const out = new Float32Array(count * channels);
  for (let f = 0; f < count; f++) out.set(gaussians(seed, first + f, RNG_DOMAIN.frameNoise, channels), f * channels);
  return out;
}

/** The initial noise of window `window` for `seed`: W*C standard normal values, from stream (seed, window). */
export function windowNoise(seed: number, window: number, size: number): Float32Array {
  return gaussians(seed, window, RNG_DOMAIN.windowNoise, size);
}
