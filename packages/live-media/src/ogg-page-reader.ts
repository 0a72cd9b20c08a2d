import { ByteQueue } from './byte-queue.ts';
import { LiveMediaError } from './errors.ts';

/** One packet of an Ogg logical stream, complete. */
export interface OggPacket {
  data: Buffer;
  /** The granule position of the page the packet ended on, and how many packets ended on that page after it. */
  pageGranule: bigint;
  packetsAfterOnPage: number;
}

const PAGE_HEADER_BYTES = 27;

/**
 * Reads the packets of a single-stream Ogg file (RFC 3533) as its bytes arrive: pages, their lacing, packets that
 * continue over pages. CRCs are not checked: the bytes come from a local ffmpeg's pipe.
 */
export class OggPageReader {
  private readonly queue = new ByteQueue();
  private partial: Buffer[] = [];

  /** Adds bytes and returns the packets they complete, in order. */
  push(chunk: Uint8Array): OggPacket[] {
    this.queue.push(chunk);
    const packets: OggPacket[] = [];
    while (this.queue.length >= PAGE_HEADER_BYTES) {
      const header = this.queue.peek(PAGE_HEADER_BYTES);
      if (header.toString('latin1', 0, 4) !== 'OggS') {
        throw new LiveMediaError('LIVE_MEDIA_BAD_STREAM', `An Ogg page must start with 'OggS'. Got: ${header.subarray(0, 4).toString('hex')}`);
      }
      const segments = header[26]!;
      if (this.queue.length < PAGE_HEADER_BYTES + segments) break;
      const lacing = this.queue.peek(PAGE_HEADER_BYTES + segments).subarray(PAGE_HEADER_BYTES);
      const bodyBytes = lacing.reduce((sum, value) => sum + value, 0);
      if (this.queue.length < PAGE_HEADER_BYTES + segments + bodyBytes) break;
      const granule = header.readBigInt64LE(6);
      const lacingValues = [...lacing];
      this.queue.skip(PAGE_HEADER_BYTES + segments);
      const body = this.queue.take(bodyBytes);
      packets.push(...this.packetsOfPage(body, lacingValues, granule));
    }
    return packets;
  }

  private packetsOfPage(body: Buffer, lacing: number[], granule: bigint): OggPacket[] {
    const ended: Buffer[] = [];
    let at = 0;
    let segmentStart = 0;
    for (const value of lacing) {
      at += value;
      if (value < 255) {
        this.partial.push(body.subarray(segmentStart, at));
        ended.push(Buffer.concat(this.partial));
        this.partial = [];
        segmentStart = at;
      }
    }
    if (segmentStart < at) this.partial.push(body.subarray(segmentStart, at));
    return ended.map((data, i) => ({ data, pageGranule: granule, packetsAfterOnPage: ended.length - 1 - i }));
  }
}
