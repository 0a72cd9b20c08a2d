import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

interface Exit {
  code: number | null;
  output: string;
}

/** Runs the test entry, sends SIGTERM once it said `after`, and answers how it exited and what it said. */
async function signalled(startMs: number, outcome: 'start' | 'fail', after: string): Promise<Exit> {
  const script = new URL('./testing/signalled-entry.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--conditions=portrait-farm-source', '--import', 'tsx', script, String(startMs), outcome], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  let sent = false;
  child.stdout.on('data', (data: Buffer) => {
    output += data.toString();
    if (!sent && output.split('\n').includes(after)) {
      sent = true;
      child.kill('SIGTERM');
    }
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output };
}

describe('runUntilSignal', () => {
  it('closes a started process on SIGTERM and exits 0', async () => {
    const exit = await signalled(0, 'start', 'started');
    expect(exit.code).toBe(0);
    expect(exit.output).toContain('entry: SIGTERM, finishing the current step\nclosed\n');
  }, 30_000);

  it('lets a process that is still starting start, then closes it and exits 0, instead of dying half-started', async () => {
    const exit = await signalled(1500, 'start', 'starting');
    expect(exit.code).toBe(0);
    expect(exit.output).toBe('starting\nentry: SIGTERM while starting; stopping once started\nstarted\nclosed\n');
  }, 30_000);

  it('exits 1 naming the failure when the start it waited for fails', async () => {
    const exit = await signalled(1500, 'fail', 'starting');
    expect(exit.code).toBe(1);
    expect(exit.output).toContain('entry: start failed: no engine');
  }, 30_000);
});
