import type { ByteStreamInfoLike, ByteStreamReaderLike } from '../livekit-surface.ts';
import { STREAM_CHUNK_BYTES } from './double-constants.ts';

/** rtc-node's `ByteStreamReader`: chunks in the order written, iteration ending when the writer closes. */
export class DoubleByteStreamReader implements ByteStreamReaderLike {
  readonly info: ByteStreamInfoLike;
  private readonly chunks: Uint8Array[] = [];
  private ended = false;
  private wake: (() => void) | null = null;
  private iterated = false;

  constructor(info: ByteStreamInfoLike) {
    this.info = info;
  }

  /** @internal the double's side of the wire. */
  deliver(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.wake?.();
  }

  /** @internal */
  end(): void {
    this.ended = true;
    this.wake?.();
  }

  async readAll(): Promise<Uint8Array[]> {
    const all: Uint8Array[] = [];
    for await (const chunk of this) all.push(chunk);
    return all;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    if (this.iterated) throw new Error('a byte stream reader can be read only once');
    this.iterated = true;
    return {
      next: async (): Promise<IteratorResult<Uint8Array>> => {
        while (this.chunks.length === 0 && !this.ended) await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        const chunk = this.chunks.shift();
        return chunk === undefined ? { done: true, value: undefined } : { done: false, value: chunk };
      },
      return: async (): Promise<IteratorResult<Uint8Array>> => {
        this.chunks.length = 0;
        this.ended = true;
        return { done: true, value: undefined };
      },
    };
  }
}

/** rtc-node's `ByteStreamWriter`: writes go to every reader, split into LiveKit's chunk size, on the next turn. */
export class DoubleByteStreamWriter {
  readonly info: ByteStreamInfoLike;
  private readonly readers: DoubleByteStreamReader[];
  private closed = false;
  private delivery: Promise<void> = Promise.resolve();

  constructor(info: ByteStreamInfoLike, readers: DoubleByteStreamReader[]) {
    this.info = info;
    this.readers = readers;
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.closed) throw new Error(`the byte stream ${this.info.streamId} is closed`);
    const copy = chunk.slice();
    const parts: Uint8Array[] = [];
    for (let at = 0; at < copy.length; at += STREAM_CHUNK_BYTES) parts.push(copy.subarray(at, at + STREAM_CHUNK_BYTES));
    this.delivery = this.delivery.then(() => nextTurn()).then(() => {
      for (const reader of this.readers) for (const part of parts) reader.deliver(part);
    });
    await this.delivery;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.delivery = this.delivery.then(() => nextTurn()).then(() => {
      for (const reader of this.readers) reader.end();
    });
    await this.delivery;
  }
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
