import { AudioFeaturesError } from './errors.ts';
import { SAMPLE_RATE } from './front-end-layout.ts';

/** Input rates of live PCM16 audio. */
export type Pcm16Rate = 16000 | 24000;

/**
 * Little-endian mono PCM16 arriving in chunks of any length (a sample may be split across chunks) -> 16 kHz float32
 * samples in [-1, 1) (`int16 / 32768`, as ffmpeg decodes). Each output sample is computed from the same input
 * samples by the same arithmetic whatever the chunking, so the output is the same bits for any chunking.
 */
export interface Pcm16Resampler {
  /** The 16 kHz samples that the bytes so far complete (the filter's look-ahead: 32 input samples, 1.3 ms at 24 kHz). */
  push(bytes: Uint8Array): Float32Array;
  /**
   * Ends the input (audio past it is silence) and returns the samples still held back; the next push starts a new
   * input. A lone odd byte is dropped.
   */
  flush(): Float32Array;
  /** Forgets everything pushed: the next push starts a new input at time 0. */
  reset(): void;
}

/** Input samples each side of an output sample that the 24 kHz -> 16 kHz filter reads. */
const HALF_WIDTH = 32;
/** Low-pass cut-off (Hz): passes speech up to about 6.6 kHz, stops from 8 kHz (16 kHz's Nyquist) at about 60 dB. */
const CUTOFF_HZ = 7300;
const KAISER_BETA = 5.65;

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; k++) {
    term *= (x / (2 * k)) * (x / (2 * k));
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** Windowed-sinc taps at input offsets `offsets` from an output sample's time (input samples), summing to 1. */
function lowPassTaps(offsets: readonly number[], inputRate: number): Float64Array {
  const band = (2 * CUTOFF_HZ) / inputRate;
  const taps = new Float64Array(offsets.length);
  let sum = 0;
  offsets.forEach((t, i) => {
    const sinc = t === 0 ? 1 : Math.sin(Math.PI * band * t) / (Math.PI * band * t);
    const edge = t / (HALF_WIDTH + 1);
    taps[i] = band * sinc * (besselI0(KAISER_BETA * Math.sqrt(Math.max(0, 1 - edge * edge))) / besselI0(KAISER_BETA));
    sum += taps[i]!;
  });
  for (let i = 0; i < taps.length; i++) taps[i]! /= sum;
  return taps;
}

/** Little-endian PCM16 bytes -> int16 values, carrying a split sample's first byte to the next chunk. */
class Pcm16Reader {
  private carry: number | null = null;

  read(bytes: Uint8Array): Int16Array {
    const total = bytes.length + (this.carry === null ? 0 : 1);
    const out = new Int16Array(Math.floor(total / 2));
    let i = 0;
    let b = 0;
    if (this.carry !== null && bytes.length > 0) {
      out[i++] = (bytes[0]! << 8) | this.carry;
      b = 1;
      this.carry = null;
    }
    for (; b + 1 < bytes.length; b += 2) out[i++] = (bytes[b + 1]! << 8) | bytes[b]!;
    if (b < bytes.length) this.carry = bytes[b]!;
    return out;
  }

  reset(): void {
    this.carry = null;
  }
}

function passThrough(): Pcm16Resampler {
  const reader = new Pcm16Reader();
  return {
    push: (bytes) => Float32Array.from(reader.read(bytes), (v) => v / 32768),
    flush() {
      reader.reset();
      return new Float32Array(0);
    },
    reset: () => reader.reset(),
  };
}

/** 24 kHz -> 16 kHz: output m sits at input time 1.5 m, between samples for odd m (two filter phases). */
function from24k(): Pcm16Resampler {
  const reader = new Pcm16Reader();
  const evenTaps = lowPassTaps(Array.from({ length: 2 * HALF_WIDTH + 1 }, (_, i) => i - HALF_WIDTH), 24000);
  const oddTaps = lowPassTaps(Array.from({ length: 2 * HALF_WIDTH }, (_, i) => i - HALF_WIDTH + 0.5), 24000);
  let input = new Float32Array(4096);
  /** Input index of input[0]. */
  let base = 0;
  let received = 0;
  let next = 0;

  const firstTap = (m: number): number => Math.floor((3 * m) / 2) - HALF_WIDTH + (m % 2);
  const lastTap = (m: number): number => Math.floor((3 * m) / 2) + HALF_WIDTH;
  const at = (k: number): number => (k < 0 || k >= received ? 0 : input[k - base]!);

  const emit = (end: number): Float32Array => {
    const out = new Float32Array(Math.max(0, end - next));
    for (let i = 0; i < out.length; i++, next++) {
      const taps = next % 2 === 0 ? evenTaps : oddTaps;
      const first = firstTap(next);
      let sum = 0;
      for (let j = 0; j < taps.length; j++) sum += taps[j]! * at(first + j);
      out[i] = sum;
    }
    const keepFrom = Math.max(0, firstTap(next));
    if (keepFrom > base) {
      input.copyWithin(0, keepFrom - base, received - base);
      base = keepFrom;
    }
    return out;
  };

  const append = (values: Int16Array): void => {
    const needed = received - base + values.length;
    if (needed > input.length) {
      const grown = new Float32Array(Math.max(needed, input.length * 2));
      grown.set(input.subarray(0, received - base));
      input = grown;
    }
    for (let i = 0; i < values.length; i++) input[received - base + i] = values[i]! / 32768;
    received += values.length;
  };

  return {
    push(bytes) {
      append(reader.read(bytes));
      let end = next;
      while (lastTap(end) < received) end++;
      return emit(end);
    },
    flush() {
      reader.reset();
      const out = emit(Math.ceil((received * 2) / 3));
      base = 0;
      received = 0;
      next = 0;
      return out;
    },
    reset() {
      reader.reset();
      base = 0;
      received = 0;
      next = 0;
    },
  };
}

/** A resampler of live PCM16 audio at `inputRate` to the front-end's 16 kHz. */
export function createPcm16Resampler(inputRate: Pcm16Rate): Pcm16Resampler {
  if (inputRate === SAMPLE_RATE) return passThrough();
  if (inputRate === 24000) return from24k();
  throw new AudioFeaturesError('AUDIO_FEATURES_BAD_RANGE', `PCM16 input rate must be 16000 or 24000 Hz. Passed: ${String(inputRate)}`);
}

/** All of `bytes` (little-endian mono PCM16 at `inputRate`) as 16 kHz float32 samples. */
export function resamplePcm16(bytes: Uint8Array, inputRate: Pcm16Rate): Float32Array {
  const resampler = createPcm16Resampler(inputRate);
  const head = resampler.push(bytes);
  const tail = resampler.flush();
  const out = new Float32Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
}
