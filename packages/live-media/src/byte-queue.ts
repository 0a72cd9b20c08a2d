/**
 * Bytes arriving in chunks of any size from a pipe, read back in whole records: the parsers of ffmpeg's output
 * (FLV tags, Ogg pages) peek at a header, wait until the record it announces is complete, then take it.
 */
export class ByteQueue {
  private buffer: Buffer = Buffer.alloc(0);
  private offset = 0;

  /** Bytes not yet taken. */
  get length(): number {
    return this.buffer.length - this.offset;
  }

  push(chunk: Uint8Array): void {
    const rest = this.buffer.subarray(this.offset);
    this.buffer = rest.length === 0 ? Buffer.from(chunk) : Buffer.concat([rest, chunk]);
    this.offset = 0;
  }

  /** The next `count` bytes, left in the queue (a view: valid until the next push). */
  peek(count: number): Buffer {
    return this.buffer.subarray(this.offset, this.offset + count);
  }

  /** Takes the next `count` bytes out of the queue, as a copy the caller may keep. */
  take(count: number): Buffer {
    const taken = Buffer.from(this.buffer.subarray(this.offset, this.offset + count));
    this.offset += count;
    return taken;
  }

  skip(count: number): void {
    this.offset += count;
  }
}
