import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isProcessAlive } from './process-alive.ts';
import { redisServerInfo } from './redis-server-info.ts';
import { freePort } from './ports.ts';
import { startProcess } from './start-process.ts';

describe('isProcessAlive', () => {
  it('counts this process, not a pid that is gone nor a zombie nobody collected', async () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(0)).toBe(false);
    // The shell's background child exits at once; the shell then becomes `sleep`, which never collects it.
    const shell = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 3'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const zombie = Number(await new Promise<string>((resolve) => shell.stdout.once('data', (data: Buffer) => resolve(data.toString()))));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(isProcessAlive(zombie)).toBe(false);
    expect(isProcessAlive(shell.pid!)).toBe(true);
    shell.kill('SIGKILL');
  });
});

describe('redisServerInfo', () => {
  it("gives the pid of the redis-server on a port, which a readiness check compares with its child's", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pf-redis-info-'));
    const port = await freePort();
    expect(await redisServerInfo(port)).toBeNull();
    const redis = await startProcess({
      name: 'redis-server',
      command: 'redis-server',
      args: ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no'],
      ready: async (child) => (await redisServerInfo(port))?.pid === child.pid,
    });
    try {
      expect(await redisServerInfo(port)).toEqual({ pid: redis.pid, loading: false });
    } finally {
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
