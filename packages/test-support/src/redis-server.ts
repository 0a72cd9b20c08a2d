import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startProcess } from '@portrait-farm/process-supervision';
import type { ChildHandle } from '@portrait-farm/process-supervision';
import { isRedisServer, listenArgs } from './redis-node.ts';
import type { RedisTlsFiles } from './redis-node.ts';

export type { RedisTlsFiles } from './redis-node.ts';

/** A redis-server child process on 127.0.0.1 for tests: no persistence (unless asked), its own temporary directory. */
export interface RedisServerProcess {
  host: string;
  port: number;
  /** `redis://127.0.0.1:PORT` (`rediss://` with `tls`) */
  url: string;
  /** Stops the server (SIGTERM, then SIGKILL); `start()` brings it back on the same port, empty. */
  stop(): Promise<void>;
  /** Starts it again after `stop()`, on the same port. */
  start(): Promise<void>;
  /** Stops the server for good and removes its directory. */
  close(): Promise<void>;
}

export interface StartRedisOptions {
  /** @defaultValue 10000 */
  timeoutMs?: number;
  /**
   * Persistence: every write in the append-only file of the server's directory, fsynced per `appendfsync` (as a
   * farm runs it), instead of none. @defaultValue none (`--appendonly no`)
   */
  appendfsync?: 'always' | 'everysec' | 'no';
  /** Serve TLS only (`--port 0 --tls-port PORT`), with this certificate and key; clients need no certificate. @defaultValue plain TCP */
  tls?: RedisTlsFiles;
}

/** A prefix unique to one test, for Redis keys and BullMQ queue prefixes: `t-<random>`. */
export function uniquePrefix(label = 't'): string {
  return `${label}-${randomBytes(5).toString('hex')}`;
}

/** Ready once the server on the port is this child (not one another test left there) and has loaded. */
function launch(port: number, dir: string, timeoutMs: number, appendfsync: StartRedisOptions['appendfsync'], tls: RedisTlsFiles | undefined): Promise<ChildHandle> {
  const args = ['--bind', '127.0.0.1', ...listenArgs(port, tls), '--dir', dir, '--save', ''];
  args.push(...(appendfsync === undefined ? ['--appendonly', 'no'] : ['--appendonly', 'yes', '--appendfsync', appendfsync]));
  args.push('--maxmemory-policy', 'noeviction', '--loglevel', 'warning');
  return startProcess({
    name: `redis-server on port ${port}`,
    command: 'redis-server',
    args,
    readyTimeoutMs: timeoutMs,
    readyIntervalMs: 30,
    ready: (child) => isRedisServer(port, child.pid, tls),
  });
}

/**
 * Starts redis-server on 127.0.0.1 on a free port with a temporary directory, `--save '' --appendonly no` (or the
 * append-only file, with `options.appendfsync`), and waits until it answers. Tries a few ports in case another
 * process takes the chosen one first.
 */
export async function startRedisServer(options: StartRedisOptions = {}): Promise<RedisServerProcess> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const { appendfsync, tls } = options;
  const dir = await mkdtemp(join(tmpdir(), 'pf-redis-'));
  let child: ChildHandle | null = null;
  let port = 0;
  let lastError: unknown = null;
  for (let attempt = 0; attempt < 5 && child === null; attempt += 1) {
    port = await freePort();
    try {
      child = await launch(port, dir, timeoutMs, appendfsync, tls);
    } catch (error) {
      lastError = error;
    }
  }
  if (child === null) {
    await rm(dir, { recursive: true, force: true });
    throw lastError instanceof Error ? lastError : new Error(String(lastError));
  }
  const stop = async (): Promise<void> => {
    const running = child;
    child = null;
    await running?.stop(5000);
  };
  return {
    host: '127.0.0.1',
    port,
    url: `${tls === undefined ? 'redis' : 'rediss'}://127.0.0.1:${port}`,
    stop,
    async start() {
      if (child !== null) return;
      child = await launch(port, dir, timeoutMs, appendfsync, tls);
    },
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
