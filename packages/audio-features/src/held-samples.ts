import type { SampleStretch } from './sample-stretch.ts';

/**
 * The latest samples of a clip that arrives in order: appended at the end, dropped from the front once no longer
 * needed, so that a long clip is never held whole.
 */
export class HeldSamples {
  private buffer = new Float32Array(1 << 18);
  /** Clip index of buffer[0]. */
  private offset = 0;
  private count = 0;

  /** Samples received so far (the clip's length once they all have). */
  get received(): number {
    return this.offset + this.count;
  }

  /**
   * Appends the next samples (copied). Where room is short, samples before `keepFrom` (a clip index; null: keep
   * all) are dropped first. Stretches handed out earlier stay valid unless samples were dropped.
   */
  append(next: Float32Array, keepFrom: number | null): void {
    if (this.count + next.length > this.buffer.length && keepFrom !== null) {
      const drop = Math.min(this.count, Math.max(0, keepFrom - this.offset));
      this.buffer.copyWithin(0, drop, this.count);
      this.offset += drop;
      this.count -= drop;
    }
    if (this.count + next.length > this.buffer.length) {
      const grown = new Float32Array(Math.max(this.buffer.length * 2, this.count + next.length));
      grown.set(this.buffer.subarray(0, this.count));
      this.buffer = grown;
    }
    this.buffer.set(next, this.count);
    this.count += next.length;
  }

  /** The samples held, as a stretch of a clip that ends (so far) where they do. */
  stretch(): SampleStretch {
    return { samples: this.buffer.subarray(0, this.count), offset: this.offset, clipLength: this.received };
  }
}
