import { open } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';

/** Bytes per read. */
const READ_BYTES = 1 << 20;
/** How long to wait for the writer when the file has no new bytes yet. */
const POLL_MS = 10;

/**
 * Reads a file while another process writes it, handing each read to `consume` in one reused buffer (its bytes are
 * valid only during the call), until `writerDone` settles and every byte written has been read, or until `consume`
 * returns false; the next read waits for `consume`. One buffer for the whole file: a pipe's stream allocates a fresh
 * one for every read, which the garbage collector may leave for long when little else runs (a long clip's decode
 * piled up twice its samples so).
 */
export async function followFile(path: string, writerDone: Promise<unknown>, consume: (bytes: Uint8Array) => boolean | Promise<boolean>): Promise<void> {
  const handle = await open(path, 'r');
  const buffer = Buffer.allocUnsafe(READ_BYTES);
  let finished = false;
  const settled = writerDone.then(
    () => (finished = true),
    () => (finished = true),
  );
  let position = 0;
  try {
    for (;;) {
      const writerWasDone = finished;
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead > 0) {
        position += bytesRead;
        if (!(await consume(buffer.subarray(0, bytesRead)))) return;
      } else if (writerWasDone) {
        return;
      } else {
        await Promise.race([settled, delay(POLL_MS)]);
      }
    }
  } finally {
    await handle.close();
  }
}
