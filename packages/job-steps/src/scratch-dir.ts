import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isProcessAlive } from '@portrait-farm/process-supervision';

const PREFIX = 'pf-process-';
const OWNED = /^pf-process-(\d+)-/;

/**
 * Removes the scratch folders of farm processes on this machine that are gone (killed with SIGKILL or crashed
 * before their cleanup ran): folders named for a pid that no longer runs. Returns the folders removed.
 */
export async function sweepDeadScratchDirs(base: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(base).catch(() => [] as string[])) {
    const pid = OWNED.exec(name)?.[1];
    if (pid === undefined || Number(pid) === process.pid || isProcessAlive(Number(pid))) continue;
    await rm(join(base, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** A scratch folder of its own for this process under `base`, after sweeping those of dead processes. */
export async function createScratchDir(base: string): Promise<{ dir: string; swept: string[]; remove(): Promise<void> }> {
  const swept = await sweepDeadScratchDirs(base);
  const dir = await mkdtemp(join(base, `${PREFIX}${process.pid}-`));
  return { dir, swept, remove: () => rm(dir, { recursive: true, force: true }) };
}
