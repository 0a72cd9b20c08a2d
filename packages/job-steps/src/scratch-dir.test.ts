import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createScratchDir, sweepDeadScratchDirs } from './scratch-dir.ts';

const bases: string[] = [];
afterEach(() => {
  for (const base of bases.splice(0)) rmSync(base, { recursive: true, force: true });
});

function base(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pf-scratch-test-'));
  bases.push(dir);
  return dir;
}

/** The pid of a process that has exited (SIGKILLed). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const pid = child.pid!;
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  return pid;
}

describe('process scratch folders', () => {
  it("removes a SIGKILLed process's folder with its files and keeps live processes' and foreign folders", async () => {
    const root = base();
    const dead = join(root, `pf-process-${await deadPid()}-abc`);
    mkdirSync(join(dead, 'pf-segment-x'), { recursive: true });
    writeFileSync(join(dead, 'pf-segment-x', 'chunk.ts'), 'partial');
    const live = join(root, `pf-process-${process.ppid}-def`);
    mkdirSync(live);
    mkdirSync(join(root, 'someone-else'));
    expect(await sweepDeadScratchDirs(root)).toEqual([dead.slice(root.length + 1)]);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(join(root, 'someone-else'))).toBe(true);
  });

  it('gives this process a folder of its own, swept of the dead ones, removed on request', async () => {
    const root = base();
    mkdirSync(join(root, `pf-process-${await deadPid()}-old`));
    const scratch = await createScratchDir(root);
    expect(scratch.swept).toHaveLength(1);
    expect(readdirSync(root)).toEqual([scratch.dir.slice(root.length + 1)]);
    expect(scratch.dir).toContain(`pf-process-${process.pid}-`);
    await scratch.remove();
    expect(readdirSync(root)).toEqual([]);
  });

  it('treats a missing base folder as empty', async () => {
    expect(await sweepDeadScratchDirs(join(base(), 'missing'))).toEqual([]);
  });
});
