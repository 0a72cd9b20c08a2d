import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startProcess } from '@portrait-farm/process-supervision';
import type { ChildHandle } from '@portrait-farm/process-supervision';
import { startRedisServer } from '@portrait-farm/test-support/redis-server';
import type { RedisServerProcess, StartRedisOptions } from '@portrait-farm/test-support/redis-server';

const ROOT = new URL('../../', import.meta.url).pathname;
const appArgs = (app: string): string[] => ['--conditions=portrait-farm-source', '--import', 'tsx', join(ROOT, 'apps', app, 'src', 'main.ts')];

/**
 * The app run by a shell that appends its output (a JSON line per request, for the gateway) to `log`, as a log
 * collector would take it: not piped through the bench process, which shares the CPUs with the load generator.
 */
function appCommand(app: string, log: string): { command: string; args: string[] } {
  return { command: '/bin/sh', args: ['-c', 'log="$1"; shift; exec "$@" >>"$log" 2>&1', 'sh', log, process.execPath, ...appArgs(app)] };
}

/** The farm under load: redis-server, the gateway, one worker and the stitcher, each a child process. */
export interface LoadFarm {
  apiUrl: string;
  apiKey: string;
  stop(): Promise<void>;
}

/**
 * Starts the processes with filesystem storage under `work` and the gateway's rate and concurrency limits lifted
 * (the load is the measure, not the quota). The worker renders with `pack`; Redis runs as `redisOptions` say
 * (its append-only file and fsync policy).
 */
export async function startLoadFarm(work: string, pack: string, redisOptions: StartRedisOptions = {}): Promise<LoadFarm> {
  const storage = join(work, 'storage');
  const temp = join(work, 'tmp');
  mkdirSync(storage, { recursive: true });
  mkdirSync(temp, { recursive: true });
  const apiKey = 'load-bench-key-0001';
  const redis: RedisServerProcess = await startRedisServer(redisOptions);
  const children: ChildHandle[] = [];
  const stop = async (): Promise<void> => {
    for (const child of children.reverse()) await child.stop(5000);
    await redis.close();
  };
  try {
    const common = {
      ...process.env,
      PORTRAIT_FARM_REDIS_URL: redis.url,
      PORTRAIT_FARM_STORAGE_URL: storage,
      PORTRAIT_FARM_PREFIX: 'load',
      PORTRAIT_FARM_PRESIGN_SECRET: 'load-bench-presign-secret-0001',
      PORTRAIT_FARM_TEMP_DIR: temp,
    };
    const port = await freePort();
    const apiUrl = `http://127.0.0.1:${port}`;
    const quiet = (): void => {};
    children.push(
      await startProcess({
        name: 'gateway',
        ...appCommand('gateway', join(work, 'gateway.log')),
        cwd: ROOT,
        env: {
          ...common,
          PORT: String(port),
          HOST: '127.0.0.1',
          PORTRAIT_FARM_PUBLIC_URL: apiUrl,
          // The face check at create uses the pack's face models, as the worker does.
          PORTRAIT_FARM_PACK: pack,
          PORTRAIT_FARM_API_KEYS: `${apiKey}:tenant-load`,
          PORTRAIT_FARM_REQUESTS_PER_MINUTE: '1000000',
          PORTRAIT_FARM_JOBS_PER_MINUTE: '1000000',
          PORTRAIT_FARM_MAX_CONCURRENT_JOBS: '100000',
        },
        onLine: quiet,
        readyTimeoutMs: 60_000,
        readyIntervalMs: 200,
        ready: async () => (await fetch(`${apiUrl}/readyz`).catch(() => null))?.ok === true,
      }),
    );
    const farmEnv = { ...common, PORTRAIT_FARM_PACK: pack, PORTRAIT_FARM_PROVIDERS: 'cpu', PORTRAIT_FARM_PUBLIC_URL: apiUrl, PORTRAIT_FARM_RENDER_THREADS: '1' };
    for (const app of ['worker', 'stitcher']) {
      children.push(await startProcess({ name: app, ...appCommand(app, join(work, `${app}.log`)), cwd: ROOT, env: farmEnv, onLine: quiet, ready: async () => true }));
    }
    return { apiUrl, apiKey, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
