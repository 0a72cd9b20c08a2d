// A Writable that keeps what is written, for this package's tests (not exported).
import { Writable } from 'node:stream';

export interface CollectingStream extends Writable {
  isTTY: boolean;
  columns: number;
  text(): string;
}

export function collectingStream(options: { isTTY?: boolean; columns?: number } = {}): CollectingStream {
  const chunks: string[] = [];
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  }) as CollectingStream;
  stream.isTTY = options.isTTY ?? false;
  stream.columns = options.columns ?? 80;
  stream.text = () => chunks.join('');
  return stream;
}

/** A clock the test moves by hand. */
export function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 0;
  return { now: () => t, advance: (ms) => (t += ms) };
}
