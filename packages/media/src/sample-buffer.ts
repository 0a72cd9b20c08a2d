/**
 * Collects little-endian float32 samples arriving as arbitrary byte chunks (ffmpeg's `-f f32le` stdout)
 * into one Float32Array: preallocated from an expected length, grown by doubling when that was too small.
 * Bytes before `skipSamples` are dropped and nothing past `limitSamples` is kept.
 */
export class SampleBuffer {
  private samples: Float32Array;
  private bytes: Uint8Array;
  private filledBytes = 0;
  private skipBytes: number;
  private readonly limitBytes: number;

  constructor(expectedSamples: number, skipSamples = 0, limitSamples = Number.POSITIVE_INFINITY) {
    this.samples = new Float32Array(Math.max(1024, Math.ceil(expectedSamples)));
    this.bytes = new Uint8Array(this.samples.buffer);
    this.skipBytes = skipSamples * 4;
    this.limitBytes = limitSamples * 4;
  }

  /** True once `limitSamples` samples are stored; later chunks are ignored. */
  get full(): boolean {
    return this.filledBytes >= this.limitBytes;
  }

  push(chunk: Uint8Array): void {
    let data = chunk;
    if (this.skipBytes > 0) {
      const skipped = Math.min(this.skipBytes, data.length);
      this.skipBytes -= skipped;
      data = data.subarray(skipped);
    }
    const room = this.limitBytes - this.filledBytes;
    if (data.length > room) data = data.subarray(0, room);
    if (data.length === 0) return;
    if (this.filledBytes + data.length > this.bytes.length) this.grow(this.filledBytes + data.length);
    this.bytes.set(data, this.filledBytes);
    this.filledBytes += data.length;
  }

  /** True when pushing `byteCount` more bytes would outgrow the buffer (and copy it into a larger one). */
  wouldGrow(byteCount: number): boolean {
    const kept = Math.min(Math.max(0, byteCount - this.skipBytes), this.limitBytes - this.filledBytes);
    return this.filledBytes + kept > this.bytes.length;
  }

  /** Makes room for `samples` in all (a larger expected length learnt later), so that no doubling is needed. */
  reserve(samples: number): void {
    const capacity = Math.ceil(samples);
    if (capacity <= this.samples.length) return;
    this.resize(capacity);
  }

  /** A view of the samples stored so far (no copy; later pushes never change them). */
  decoded(): Float32Array {
    return this.samples.subarray(0, Math.floor(this.filledBytes / 4));
  }

  /** The whole samples stored so far, as a tight copy when the preallocation overshot by more than 1 %. */
  result(): Float32Array {
    const count = Math.floor(this.filledBytes / 4);
    if (count >= this.samples.length * 0.99) return this.samples.subarray(0, count);
    return this.samples.slice(0, count);
  }

  private grow(neededBytes: number): void {
    let capacity = this.samples.length * 2;
    while (capacity * 4 < neededBytes) capacity *= 2;
    this.resize(capacity);
  }

  private resize(capacity: number): void {
    const next = new Float32Array(capacity);
    next.set(this.samples);
    this.samples = next;
    this.bytes = new Uint8Array(next.buffer);
  }
}
