import { execFileSync } from 'node:child_process';
import { mkdirSync, openSync, closeSync, rmSync, writeSync } from 'node:fs';
import { judge, submit } from './chaos-farm.ts';
import type { ChaosFarm } from './chaos-farm.ts';
import { sleep } from './processes.ts';
import { SETTLE_MS } from './s3-faults.ts';
import type { FaultOutcome } from './s3-faults.ts';

/** A small tmpfs: a filesystem that really fills (ENOSPC), mounted where the filesystem driver keeps its objects. */
export interface SmallDisk {
  dir: string;
  /** Fills every free byte with a file; `free()` removes it. */
  fill(): void;
  free(): void;
  unmount(): void;
}

/** Mounts a tmpfs of `megabytes` at `dir`; null where this user may not mount one (not root). */
export function mountSmallDisk(dir: string, megabytes: number): SmallDisk | null {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch {
    return null;
  }
  const filler = `${dir}/filler.bin`;
  return {
    dir,
    fill() {
      const fd = openSync(filler, 'w');
      const block = Buffer.alloc(64 * 1024);
      try {
        for (;;) writeSync(fd, block);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        // The last bytes: smaller writes until not even one fits.
        for (let size = 32 * 1024; size >= 1; size = Math.floor(size / 2)) {
          try {
            for (;;) writeSync(fd, block, 0, size);
          } catch {
            // next size down
          }
        }
      } finally {
        closeSync(fd);
      }
    },
    free() {
      rmSync(filler, { force: true });
    },
    unmount() {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
    },
  };
}

/**
 * Filesystem storage on a full disk: one job finds it full for 2 s (a retry gets through), one finds it full for
 * good (fails with a clear error once its retries are spent), then one more runs once space is back.
 */
export async function diskFull(chaos: ChaosFarm, disk: SmallDisk): Promise<FaultOutcome> {
  const brief = await submit(chaos);
  disk.fill();
  await sleep(2000);
  disk.free();
  const briefVerdict = await judge(chaos, brief, SETTLE_MS);
  const stuck = await submit(chaos);
  disk.fill();
  const stuckVerdict = await judge(chaos, stuck, SETTLE_MS);
  disk.free();
  const after = await judge(chaos, await submit(chaos), SETTLE_MS);
  return {
    fault: 'disk full (filesystem driver)',
    verdicts: [briefVerdict, stuckVerdict, after],
    problems: [],
    note: 'tmpfs of 32 MB under the storage folder: full for 2 s; full until the job ended; space back',
  };
}
