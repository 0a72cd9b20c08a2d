import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, uniquePrefix } from '@portrait-farm/test-support/redis-server';
import type { RedisServerProcess } from '@portrait-farm/test-support/redis-server';

// A worker sent SIGTERM while it loads its engine (seconds) used to die by the signal, half-started. It now starts,
// then stops as it does once running: exit 0, its scratch folder removed.
const work = mkdtempSync(join(tmpdir(), 'pf-e2e-start-signal-'));
const main = fileURLToPath(new URL('../../apps/worker/src/main.ts', import.meta.url));
let redis: RedisServerProcess;

beforeAll(async () => {
  redis = await startRedisServer();
}, 60_000);

afterAll(async () => {
  await redis?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('a worker signalled while it starts', () => {
  it('finishes starting, stops cleanly and exits 0', async () => {
    const tempDir = join(work, 'tmp');
    mkdirSync(tempDir);
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PORTRAIT_FARM_')));
    const child = spawn(process.execPath, ['--conditions=portrait-farm-source', '--import', 'tsx', main], {
      env: {
        ...env,
        PORTRAIT_FARM_REDIS_URL: redis.url,
        PORTRAIT_FARM_STORAGE_URL: join(work, 'storage'),
        PORTRAIT_FARM_TEMP_DIR: tempDir,
        PORTRAIT_FARM_PREFIX: uniquePrefix('start-signal'),
        PORTRAIT_FARM_PROVIDERS: 'cpu',
        PORTRAIT_FARM_METRICS_PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let log = '';
    let signalled = false;
    child.stdout.on('data', (data: Buffer) => {
      log += data.toString();
      // The engine's first model is open, the others still loading.
      if (!signalled && log.includes('running on cpu')) {
        signalled = true;
        child.kill('SIGTERM');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(signalled).toBe(true);
    expect(code).toBe(0);
    expect(log).toContain('worker: SIGTERM while starting; stopping once started');
    expect(readdirSync(tempDir)).toEqual([]);
  }, 90_000);
});
