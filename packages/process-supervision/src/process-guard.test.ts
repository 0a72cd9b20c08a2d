import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isProcessAlive, waitUntilGone } from './process-alive.ts';

const work = mkdtempSync(join(tmpdir(), 'pf-guard-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Started {
  parent: ReturnType<typeof spawn>;
  guard: number;
  children: number[];
  file: string;
}

async function startParent(name: string, mode: 'wait' | 'release'): Promise<Started> {
  const script = new URL('./testing/guarded-parent.ts', import.meta.url).pathname;
  const parent = spawn(process.execPath, ['--conditions=portrait-farm-source', '--import', 'tsx', script, join(work, name), mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    parent.stdout.on('data', (data: Buffer) => {
      out += data.toString();
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    parent.once('exit', (code) => reject(new Error(`the parent exited with ${String(code)} before starting: ${out}`)));
  });
  return { parent, ...(JSON.parse(line) as Omit<Started, 'parent'>) };
}

describe('a process guard', () => {
  it('stops the children of a parent killed with SIGKILL (stage by stage, SIGKILL after the grace period) and removes its files', async () => {
    const started = await startParent('killed', 'wait');
    expect([started.guard, ...started.children].every(isProcessAlive)).toBe(true);
    expect(existsSync(started.file)).toBe(true);
    started.parent.kill('SIGKILL');
    expect(await waitUntilGone([...started.children, started.guard], 10_000)).toBe(true);
    expect(existsSync(started.file)).toBe(false);
  });

  it('does nothing once the parent stopped its children and released it', async () => {
    const started = await startParent('released', 'release');
    const code = await new Promise<number | null>((resolve) => started.parent.once('exit', resolve));
    expect(code).toBe(0);
    expect(await waitUntilGone([...started.children, started.guard], 5000)).toBe(true);
    expect(existsSync(started.file)).toBe(true);
  });
});
