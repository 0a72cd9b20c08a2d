import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { followFile } from './follow-file.ts';

describe('followFile', () => {
  it('reads every byte a writer appends, in order, until the writer is done; stops when consume says so', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'follow-file-'));
    try {
      const path = join(dir, 'growing.bin');
      await writeFile(path, '');
      const written = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 251));
      const writer = (async () => {
        for (let at = 0; at < written.length; at += 70_001) {
          await appendFile(path, written.subarray(at, at + 70_001));
          await delay(15);
        }
      })();
      const read: Buffer[] = [];
      await followFile(path, writer, (bytes) => {
        read.push(Buffer.from(bytes));
        return true;
      });
      expect(Buffer.concat(read).equals(written)).toBe(true);

      let calls = 0;
      await followFile(path, Promise.resolve(), async () => {
        calls++;
        return false;
      });
      expect(calls).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
