// Microphone and file audio to what a session takes: 16 kHz mono PCM16, little-endian, in 20 ms chunks.

export const SESSION_RATE = 16000;
/** Samples per 20 ms chunk at 16 kHz. */
export const CHUNK_SAMPLES = 320;

/** Float samples in [-1, 1] as little-endian PCM16 bytes (clipped). */
export function toPcm16(samples: Float32Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(samples.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.max(-1, Math.min(1, samples[i]!));
    view.setInt16(i * 2, Math.round(v * 32767), true);
  }
  return out;
}

/**
 * Linear resampling from `inputRate` to 16 kHz of audio that arrives in blocks (a microphone's 128-sample render
 * quanta): the position carries over from one block to the next, so no block boundary clicks.
 */
export class StreamResampler {
  readonly #step: number;
  /** Position of the next output sample, in input samples from the start of the held sample. */
  #position = 0;
  #held: number | null = null;

  constructor(inputRate: number) {
    this.#step = inputRate / SESSION_RATE;
  }

  push(block: Float32Array): Float32Array {
    const input = this.#held === null ? block : prepend(this.#held, block);
    const out: number[] = [];
    while (this.#position + 1 < input.length) {
      const i = Math.floor(this.#position);
      const frac = this.#position - i;
      out.push(input[i]! + (input[i + 1]! - input[i]!) * frac);
      this.#position += this.#step;
    }
    // Keep the last sample: the next output sample lies between it and the next block's first.
    this.#position -= input.length - 1;
    this.#held = input.length > 0 ? input[input.length - 1]! : this.#held;
    return Float32Array.from(out);
  }
}

function prepend(value: number, block: Float32Array): Float32Array {
  const out = new Float32Array(block.length + 1);
  out[0] = value;
  out.set(block, 1);
  return out;
}

/** Cuts a stream of 16 kHz samples into 20 ms PCM16 chunks. */
export class ChunkCutter {
  #pending = new Float32Array(0);

  /** The whole chunks the samples complete. */
  push(samples: Float32Array): Array<Uint8Array<ArrayBuffer>> {
    const all = new Float32Array(this.#pending.length + samples.length);
    all.set(this.#pending);
    all.set(samples, this.#pending.length);
    const chunks: Array<Uint8Array<ArrayBuffer>> = [];
    let at = 0;
    for (; at + CHUNK_SAMPLES <= all.length; at += CHUNK_SAMPLES) chunks.push(toPcm16(all.subarray(at, at + CHUNK_SAMPLES)));
    this.#pending = all.slice(at);
    return chunks;
  }

  /** What is left, as a last short chunk (or none). */
  flush(): Uint8Array<ArrayBuffer> | null {
    const rest = this.#pending;
    this.#pending = new Float32Array(0);
    return rest.length === 0 ? null : toPcm16(rest);
  }
}
