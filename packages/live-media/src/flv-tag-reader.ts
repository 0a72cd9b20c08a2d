import { ByteQueue } from './byte-queue.ts';
import { LiveMediaError } from './errors.ts';

/** One FLV tag: 8 audio, 9 video, 18 script data. */
export interface FlvTag {
  type: number;
  timestampMs: number;
  data: Buffer;
}

const FILE_HEADER_BYTES = 9;
const PREVIOUS_TAG_SIZE_BYTES = 4;
const TAG_HEADER_BYTES = 11;

/**
 * Reads the tags of an FLV stream as its bytes arrive. FLV is how the live video encoder gets H.264 out of ffmpeg
 * framed: each tag announces its size, so an access unit is complete the moment its last byte arrives (an Annex B
 * stream only shows where a unit ends when the next one starts, one frame later).
 */
export class FlvTagReader {
  private readonly queue = new ByteQueue();
  private headerRead = false;

  /** Adds bytes from the stream and returns the tags they complete, in order. */
  push(chunk: Uint8Array): FlvTag[] {
    this.queue.push(chunk);
    const tags: FlvTag[] = [];
    if (!this.headerRead) {
      if (this.queue.length < FILE_HEADER_BYTES + PREVIOUS_TAG_SIZE_BYTES) return tags;
      const header = this.queue.peek(FILE_HEADER_BYTES);
      if (header.toString('latin1', 0, 3) !== 'FLV') {
        throw new LiveMediaError('LIVE_MEDIA_BAD_STREAM', `FLV stream must start with 'FLV'. Got: ${header.subarray(0, 3).toString('hex')}`);
      }
      this.queue.skip(header.readUInt32BE(5) + PREVIOUS_TAG_SIZE_BYTES);
      this.headerRead = true;
    }
    while (this.queue.length >= TAG_HEADER_BYTES) {
      const header = this.queue.peek(TAG_HEADER_BYTES);
      const type = header[0]! & 0x1f;
      const size = header.readUIntBE(1, 3);
      if (this.queue.length < TAG_HEADER_BYTES + size + PREVIOUS_TAG_SIZE_BYTES) break;
      const timestampMs = (header[7]! << 24) | header.readUIntBE(4, 3);
      this.queue.skip(TAG_HEADER_BYTES);
      const data = this.queue.take(size);
      this.queue.skip(PREVIOUS_TAG_SIZE_BYTES);
      tags.push({ type, timestampMs, data });
    }
    return tags;
  }
}
