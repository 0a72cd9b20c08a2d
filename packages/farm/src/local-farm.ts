import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { ENVIRONMENT, loadConfig } from '@portrait-farm/config';
import { superviseChild } from './child-process.ts';
import type { SupervisedChild } from './child-process.ts';
import { FarmError } from './errors.ts';
import { REPO_ROOT } from './farm-config.ts';
import { claimDataDir, loadCredentials } from './local-farm-state.ts';
import type { LocalFarmCredentials } from './local-farm-state.ts';

/** Options of {@link startLocalFarm}. */
export interface LocalFarmOptions {
  /** Worker processes. @defaultValue 1 */
  workers?: number;
  /** Gateway port; 0 picks a free one. @defaultValue 8080 */
  port?: number;
  /** Storage URL. @defaultValue `{dataDir}/storage` */
  storageUrl?: string;
  /** An existing Redis; without it the farm starts its own redis-server on 127.0.0.1. */
  redisUrl?: string;
  /**
   * Where the farm keeps what outlives a run: its own Redis (append-only file), storage and credentials (API key,
   * webhook and presign secrets), so that a restarted farm finishes the jobs it had accepted and its clients keep
   * their key. One farm at a time per folder. @defaultValue `.cache/farm` under the repository
   */
  dataDir?: string;
  /** Model pack of the workers. @defaultValue PORTRAIT_FARM_PACK or models/starter */
  packDir?: string;
  /** API key of tenant "local". @defaultValue the first `key:tenant` of PORTRAIT_FARM_API_KEYS, else the data folder's */
  apiKey?: string;
  /** Deployment prefix of Redis keys. @defaultValue "pf" */
  prefix?: string;
  /** More environment for workers and stitcher (tuning: lock times, webhook retry schedule). */
  env?: Readonly<Record<string, string>>;
  /** Each line the farm and its processes print. */
  log?: (line: string) => void;
}

/** A running local farm. */
export interface LocalFarm {
  apiUrl: string;
  apiKey: string;
  tenant: string;
  /** Signing secret of tenant "local"'s webhooks. */
  webhookSecret: string;
  redisUrl: string;
  storageUrl: string;
  prefix: string;
  workers: readonly SupervisedChild[];
  stitcher: SupervisedChild;
  gateway: SupervisedChild;
  /** The farm's own redis-server (restarted if it dies; its append-only file keeps the data), or null with `redisUrl`. */
  redis: SupervisedChild | null;
  /** Stops every process (and the farm's own Redis). */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, alive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    if (!alive()) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new FarmError('FARM_PROCESS_FAILED', `${what} did not become ready within ${timeoutMs} ms.`);
}

function tsxArgs(script: string): string[] {
  return ['--import', 'tsx', resolve(REPO_ROOT, script)];
}

function withoutFarmVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('PORTRAIT_FARM_')));
}

/**
 * Starts a whole farm on this machine as child processes: Redis (unless `redisUrl`), the gateway, N workers and a
 * stitcher, each restarted if it crashes. Webhooks may go to loopback and http URLs (local use only).
 */
export async function startLocalFarm(options: LocalFarmOptions = {}): Promise<LocalFarm> {
  const log = options.log ?? ((): void => {});
  const dataDir = resolve(options.dataDir ?? join(REPO_ROOT, '.cache', 'farm'));
  const workerCount = options.workers ?? 1;
  if (!Number.isInteger(workerCount) || workerCount < 1 || workerCount > 64) {
    throw new FarmError('FARM_BAD_CONFIG', `workers must be an integer between 1 and 64. Received: ${workerCount}`);
  }
  // Read once: a malformed or unknown PORTRAIT_FARM_* variable (here or in options.env) stops the start, not each child.
  const settings = loadConfig('local-farm', { ...process.env, ...options.env });
  const prefix = options.prefix ?? ENVIRONMENT.PORTRAIT_FARM_PREFIX.default;
  const firstKey = settings.apiKeys?.[0] ?? null;
  const tenant = options.apiKey === undefined && firstKey !== null ? firstKey[1] : 'local';
  const claim = await claimDataDir(dataDir);
  let credentials: LocalFarmCredentials;
  try {
    credentials = await loadCredentials(dataDir);
  } catch (error) {
    await claim.release();
    throw error;
  }
  const apiKey = options.apiKey ?? firstKey?.[0] ?? credentials.apiKey;
  const { webhookSecret, presignSecret } = credentials;
  const storageUrl = options.storageUrl ?? join(dataDir, 'storage');
  const children: SupervisedChild[] = [];
  const configFile = join(dataDir, `gateway-config-${process.pid}.json`);
  const stopAll = async (): Promise<void> => {
    await rm(configFile, { force: true });
    await Promise.all(children.filter((c) => c.name !== 'redis').map((c) => c.stop()));
    await Promise.all(children.filter((c) => c.name === 'redis').map((c) => c.stop()));
    await claim.release();
  };
  try {
    let redisUrl = options.redisUrl;
    let ownRedis: SupervisedChild | null = null;
    if (redisUrl === undefined) {
      const redisDir = join(dataDir, 'redis');
      await mkdir(redisDir, { recursive: true });
      const port = await freePort();
      // Every write goes to the append-only file, flushed to disk each second: jobs survive a restart of the farm.
      const args = ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec', '--dir', redisDir];
      const redis = superviseChild({ name: 'redis', command: 'redis-server', args, cwd: redisDir, env: process.env, onLine: () => {} });
      children.push(redis);
      ownRedis = redis;
      redisUrl = `redis://127.0.0.1:${port}`;
      const { Redis } = await import('ioredis');
      const url = redisUrl;
      await waitFor('redis-server', async () => {
        const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        client.on('error', () => {});
        try {
          await client.connect();
          return (await client.ping()) === 'PONG';
        } finally {
          client.disconnect();
        }
      }, 10_000);
    }
    if (!/^[a-z0-9]+:/i.test(storageUrl) || /^[a-z]:[\\/]/i.test(storageUrl)) await mkdir(storageUrl, { recursive: true });
    const port = options.port === 0 ? await freePort() : (options.port ?? 8080);
    const apiUrl = `http://127.0.0.1:${port}`;
    await writeFile(
      configFile,
      JSON.stringify({
        redisUrl,
        storageUrl,
        publicBaseUrl: apiUrl,
        apiKeys: { [apiKey]: tenant },
        presignSecret,
        prefix,
        inputFetch: { allowHttp: true },
        webhookSecrets: { [tenant]: webhookSecret },
      }),
      { mode: 0o600 },
    );
    const base = withoutFarmVariables(process.env);
    const gateway = superviseChild({
      name: 'gateway',
      command: process.execPath,
      args: tsxArgs('apps/gateway/src/main.ts'),
      cwd: REPO_ROOT,
      env: { ...base, PORTRAIT_FARM_CONFIG: configFile, PORT: String(port), HOST: '127.0.0.1' },
      onLine: log,
    });
    children.push(gateway);
    const farmEnv: NodeJS.ProcessEnv = {
      ...process.env,
      PORTRAIT_FARM_REDIS_URL: redisUrl,
      PORTRAIT_FARM_STORAGE_URL: storageUrl,
      PORTRAIT_FARM_PREFIX: prefix,
      PORTRAIT_FARM_WEBHOOK_SECRETS: `${tenant}:${webhookSecret}`,
      PORTRAIT_FARM_WEBHOOK_ALLOW_LOOPBACK: '1',
      PORTRAIT_FARM_WEBHOOK_ALLOW_PRIVATE: '1',
      ...(options.packDir === undefined ? {} : { PORTRAIT_FARM_PACK: options.packDir }),
      ...options.env,
    };
    const workers = Array.from({ length: workerCount }, (_, i) =>
      superviseChild({ name: `worker-${i + 1}`, command: process.execPath, args: tsxArgs('apps/worker/src/main.ts'), cwd: REPO_ROOT, env: farmEnv, onLine: log }),
    );
    children.push(...workers);
    const stitcher = superviseChild({ name: 'stitcher', command: process.execPath, args: tsxArgs('apps/stitcher/src/main.ts'), cwd: REPO_ROOT, env: farmEnv, onLine: log });
    children.push(stitcher);
    await waitFor('The gateway', async () => (await fetch(`${apiUrl}/readyz`)).ok, 60_000);
    return { apiUrl, apiKey, tenant, webhookSecret, redisUrl, storageUrl, prefix, workers, stitcher, gateway, redis: ownRedis, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
