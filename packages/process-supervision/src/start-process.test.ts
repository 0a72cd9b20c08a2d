import { describe, expect, it } from 'vitest';
import { isProcessAlive, waitUntilGone } from './process-alive.ts';
import { spawnProcess } from './spawn-process.ts';
import { startProcess } from './start-process.ts';

const node = process.execPath;

describe('startProcess', () => {
  it('waits until the check passes, forwards and keeps the output, and reports how the process exited', async () => {
    const lines: string[] = [];
    const child = await startProcess({
      name: 'printer',
      command: node,
      args: ['-e', 'console.log("starting"); setTimeout(() => console.log("ready"), 200); setInterval(() => {}, 1000)'],
      onLine: (line) => lines.push(line),
      ready: (c) => c.recentLines().includes('ready'),
    });
    expect(lines).toEqual(['starting', 'ready']);
    expect(isProcessAlive(child.pid!)).toBe(true);
    expect(await child.stop()).toEqual({ code: null, signal: 'SIGTERM' });
    expect(child.exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(isProcessAlive(child.pid!)).toBe(false);
  });

  it('fails with the exit status and the last output when the process exits before it is ready', async () => {
    await expect(
      startProcess({ name: 'crasher', command: node, args: ['-e', 'console.error("listen EADDRINUSE"); process.exit(3)'], ready: () => false }),
    ).rejects.toMatchObject({
      code: 'PROCESS_EXITED',
      message: expect.stringMatching(/^crasher exited with code 3 before it was ready\. Its last output:\n {2}listen EADDRINUSE$/),
    });
  });

  it('stops a process that is not ready in time, and one whose check throws', async () => {
    let pid = 0;
    await expect(
      startProcess({
        name: 'sleeper',
        command: node,
        args: ['-e', 'setInterval(() => {}, 1000)'],
        readyTimeoutMs: 300,
        ready: (c) => {
          pid = c.pid!;
          return false;
        },
      }),
    ).rejects.toMatchObject({ code: 'PROCESS_NOT_READY', message: expect.stringContaining('sleeper did not become ready within 300 ms. It printed nothing.') });
    expect(isProcessAlive(pid)).toBe(false);
    await expect(
      startProcess({
        name: 'impostor',
        command: node,
        args: ['-e', 'setInterval(() => {}, 1000)'],
        ready: (c) => {
          pid = c.pid!;
          throw new Error('the port answers from another process');
        },
      }),
    ).rejects.toThrow('the port answers from another process');
    expect(isProcessAlive(pid)).toBe(false);
  });

  it('stops waiting when its signal aborts', async () => {
    const abort = new AbortController();
    setTimeout(() => abort.abort(new Error('SIGTERM')), 200);
    await expect(
      startProcess({ name: 'slow', command: node, args: ['-e', 'setInterval(() => {}, 1000)'], ready: () => false, signal: abort.signal }),
    ).rejects.toMatchObject({ code: 'PROCESS_ABORTED', message: 'Stopped waiting for slow: Error: SIGTERM' });
  });

  it('names a program that cannot be started', async () => {
    await expect(startProcess({ name: 'ghost', command: 'pf-no-such-program' })).rejects.toMatchObject({
      code: 'PROCESS_SPAWN_FAILED',
      message: expect.stringContaining('ghost could not be started: spawn pf-no-such-program ENOENT'),
    });
  });
});

describe('stopping a process', () => {
  it('sends SIGKILL after the grace period to a process that ignores SIGTERM', async () => {
    const child = await startProcess({
      name: 'stubborn',
      command: node,
      args: ['-e', 'process.on("SIGTERM", () => console.log("ignored")); console.log("armed"); setInterval(() => {}, 1000)'],
      ready: (c) => c.recentLines().includes('armed'),
    });
    const started = Date.now();
    expect(await child.stop(300)).toEqual({ code: null, signal: 'SIGKILL' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(child.recentLines()).toContain('ignored');
  });

  it('takes what a detached process started with it', async () => {
    // The shell starts a sleep in the background and prints its pid; SIGTERM to the shell alone would leave it.
    const child = spawnProcess({ name: 'parent', command: 'sh', args: ['-c', 'trap "" TERM; sleep 30 & echo $!; wait'], detached: true });
    let grandchild = 0;
    const deadline = Date.now() + 5000;
    while (grandchild === 0 && Date.now() < deadline) {
      grandchild = Number(child.recentLines()[0] ?? 0);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(isProcessAlive(grandchild)).toBe(true);
    expect((await child.stop(200)).signal).toBe('SIGKILL');
    expect(await waitUntilGone([grandchild], 2000)).toBe(true);
  });
});
