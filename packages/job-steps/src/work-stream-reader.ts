import type { PreparedClip } from '@portrait-farm/engine';
import { JobStepError } from './errors.ts';
import { arrayLayout, arrayPastEnd, checkPreparedClip, parseWorkHeader, readWorkPrefix, rebuildWork, workDataStart, type OpenClipAudio, type Typed } from './work-codec.ts';

/**
 * Reads a work file from a stream of byte chunks, filling each typed array straight from the chunks as they arrive:
 * the value costs its own size in memory, where reading the whole file first (and concatenating its chunks) and then
 * decoding it held the clip's bytes two or three times over. The value equals `decodeWork` of the same bytes.
 */
export async function readWork(expectedKind: string, chunks: AsyncIterable<Uint8Array>): Promise<unknown> {
  const reader = new ChunkReader(chunks);
  try {
    return await readWorkFrom(reader, expectedKind);
  } finally {
    await reader.close();
  }
}

async function readWorkFrom(reader: ChunkReader, expectedKind: string): Promise<unknown> {
  const prefix = Buffer.alloc(8);
  const prefixRead = await reader.fill(prefix);
  const jsonLength = readWorkPrefix(prefix.subarray(0, prefixRead));
  const json = Buffer.alloc(jsonLength);
  if ((await reader.fill(json)) < jsonLength) {
    throw new JobStepError('FARM_BAD_WORK_FILE', `Work file header of ${jsonLength} bytes runs past its end (${reader.position} bytes).`);
  }
  const header = parseWorkHeader(expectedKind, json);
  const dataStart = workDataStart(jsonLength);
  const order = header.arrays.map((entry, index) => ({ entry, index })).sort((a, b) => a.entry.offset - b.entry.offset);
  const arrays: Typed[] = new Array<Typed>(header.arrays.length);
  for (const { entry, index } of order) {
    const { ctor, byteLength } = arrayLayout(entry);
    const start = dataStart + entry.offset;
    if (start < reader.position) throw new JobStepError('FARM_BAD_WORK_FILE', `Arrays of the work file overlap at byte ${start}.`);
    const storage = new ArrayBuffer(byteLength);
    const skipped = await reader.skip(start - reader.position);
    const filled = skipped ? await reader.fill(new Uint8Array(storage)) : 0;
    if (filled < byteLength) throw arrayPastEnd(byteLength, start, reader.position);
    arrays[index] = new ctor(storage);
  }
  return rebuildWork(header, arrays);
}

/** {@link readWork} of a prepared clip (`work/clip.bin`), checked as `decodePreparedClip` checks it. */
export async function readPreparedClip(chunks: AsyncIterable<Uint8Array>, openAudio: OpenClipAudio): Promise<PreparedClip> {
  return checkPreparedClip(await readWork('prepared-clip', chunks), openAudio);
}

/** Sequential reads of exact byte counts from chunks of any size. */
class ChunkReader {
  private readonly chunks: AsyncIterator<Uint8Array>;
  private chunk: Uint8Array = new Uint8Array(0);
  private at = 0;
  /** Bytes consumed so far. */
  position = 0;

  constructor(chunks: AsyncIterable<Uint8Array>) {
    this.chunks = chunks[Symbol.asyncIterator]();
  }

  /** Copies the next bytes into `target`; returns how many there were (fewer than its length at the end). */
  async fill(target: Uint8Array): Promise<number> {
    let filled = 0;
    while (filled < target.length) {
      if (!(await this.ensureBytes())) break;
      const n = Math.min(target.length - filled, this.chunk.length - this.at);
      target.set(this.chunk.subarray(this.at, this.at + n), filled);
      this.at += n;
      filled += n;
    }
    this.position += filled;
    return filled;
  }

  /** Passes over `count` bytes; false when the stream ended first. */
  async skip(count: number): Promise<boolean> {
    let left = count;
    while (left > 0) {
      if (!(await this.ensureBytes())) return false;
      const n = Math.min(left, this.chunk.length - this.at);
      this.at += n;
      left -= n;
      this.position += n;
    }
    return true;
  }

  /** Stops the stream (a file or an S3 body left unread past the last array, or after an error). */
  async close(): Promise<void> {
    await this.chunks.return?.();
  }

  private async ensureBytes(): Promise<boolean> {
    while (this.at >= this.chunk.length) {
      const next = await this.chunks.next();
      if (next.done === true) return false;
      this.chunk = next.value;
      this.at = 0;
    }
    return true;
  }
}
