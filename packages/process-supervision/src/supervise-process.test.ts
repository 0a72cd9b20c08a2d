import { describe, expect, it } from 'vitest';
import { isProcessAlive } from './process-alive.ts';
import { superviseProcess } from './supervise-process.ts';

const node = process.execPath;

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('superviseProcess', () => {
  it('restarts a process that dies, and not one that was stopped', async () => {
    const exits: Array<[string, number | null]> = [];
    const supervised = await superviseProcess({
      name: 'worker',
      command: node,
      args: ['-e', 'setInterval(() => {}, 1000)'],
      onExit: (how, delay) => exits.push([how, delay]),
    });
    const first = supervised.pid!;
    process.kill(first, 'SIGKILL');
    await until(() => supervised.restarts === 1 && supervised.pid !== null, 5000);
    expect(exits).toEqual([['was ended by SIGKILL', 1000]]);
    const second = supervised.pid!;
    expect(second).not.toBe(first);
    await supervised.stop();
    expect(isProcessAlive(second)).toBe(false);
    expect(supervised.pid).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(supervised.restarts).toBe(1);
    expect(exits).toHaveLength(1);
  });

  it('rejects when the first start fails, without restarting', async () => {
    await expect(superviseProcess({ name: 'broken', command: node, args: ['-e', 'process.exit(2)'], ready: () => false })).rejects.toMatchObject({
      code: 'PROCESS_EXITED',
    });
  });
});
