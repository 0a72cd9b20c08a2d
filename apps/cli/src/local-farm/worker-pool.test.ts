import { isProcessAlive, superviseProcess } from '@portrait-farm/process-supervision';
import { describe, expect, it } from 'vitest';
import { createWorkerPool } from './worker-pool.ts';

// A worker as the pool sees it: on SIGTERM it finishes the step it runs (here 600 ms), then exits 0 by itself.
const WORKER = `
process.on('SIGTERM', () => { console.log('finishing step'); setTimeout(() => { console.log('step done'); process.exit(0); }, 600); });
console.log('ready');
setInterval(() => {}, 1000);
`;

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the worker pool', () => {
  it('grows by the lowest free names, shrinks from the highest, and lets a stopped worker finish its step', async () => {
    const output = new Map<string, string[]>();
    const pool = createWorkerPool((name) => {
      output.set(name, []);
      return superviseProcess({ name, command: process.execPath, args: ['-e', WORKER], onLine: (line) => output.get(name)!.push(line) });
    });
    const ready = (name: string): boolean => output.get(name)?.includes('ready') ?? false;
    try {
      await pool.resize(3);
      expect(pool.workers.map((w) => w.name)).toEqual(['worker-1', 'worker-2', 'worker-3']);
      await until('3 workers ready', () => ['worker-1', 'worker-2', 'worker-3'].every(ready));
      const [, second, third] = pool.workers;

      await pool.resize(1);
      // Out of the pool at once (they take no new work), still running their step.
      expect(pool.workers.map((w) => w.name)).toEqual(['worker-1']);
      await until('SIGTERM reached the stopped workers', () => output.get('worker-3')!.includes('finishing step') && output.get('worker-2')!.includes('finishing step'));
      expect(isProcessAlive(third!.pid!)).toBe(true);
      await until('the stopped workers exited by themselves', () => [second!, third!].every((w) => w.pid === null));
      expect(output.get('worker-2')).toContain('step done');
      expect(output.get('worker-3')).toContain('step done');
      expect([second!.restarts, third!.restarts]).toEqual([0, 0]);

      await pool.resize(2);
      expect(pool.workers.map((w) => w.name)).toEqual(['worker-1', 'worker-2']);
    } finally {
      await pool.stop(2000);
    }
    expect(pool.workers).toEqual([]);
  }, 30_000);

  it('stops the workers still finishing their step when the farm stops', async () => {
    const pool = createWorkerPool((name) => superviseProcess({ name, command: process.execPath, args: ['-e', 'process.on("SIGTERM", () => {}); console.log("ready"); setInterval(() => {}, 1000);'] }));
    await pool.resize(2);
    const retired = pool.workers[1]!;
    await new Promise((resolve) => setTimeout(resolve, 300));
    await pool.resize(1);
    // It ignores SIGTERM: only the farm's stop (SIGKILL after its grace) ends it.
    const started = Date.now();
    await pool.stop(300);
    expect(retired.pid === null || !isProcessAlive(retired.pid)).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
  }, 30_000);
});
