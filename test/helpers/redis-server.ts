import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A redis-server child process on 127.0.0.1 for tests: no persistence, its own temporary directory. */
export interface RedisServerProcess {
  host: string;
  port: number;
  /** `redis://127.0.0.1:PORT` */
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
}

/** A prefix unique to one test, for Redis keys and BullMQ queue prefixes: `t-<random>`. */
export function uniquePrefix(label = 't'): string {
  return `${label}-${randomBytes(5).toString('hex')}`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Sends PING on a raw socket and resolves true when the answer is +PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let answer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => {
      answer += data.toString();
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
    socket.once('error', () => done(false));
  });
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function launch(port: number, dir: string, timeoutMs: number): Promise<ChildProcess> {
  const args = ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no'];
  args.push('--maxmemory-policy', 'noeviction', '--loglevel', 'warning');
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr?.on('data', (data: Buffer) => (output += data.toString()));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode} on port ${port}: ${output}`);
    if (await ping(port)) return child;
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not answer PING on port ${port} within ${timeoutMs} ms: ${output}`);
}

/**
 * Starts redis-server on 127.0.0.1 on a free port with a temporary directory, `--save '' --appendonly no`,
 * and waits until it answers PING. Tries a few ports in case another process takes the chosen one first.
 */
export async function startRedisServer(options: StartRedisOptions = {}): Promise<RedisServerProcess> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const dir = await mkdtemp(join(tmpdir(), 'pf-redis-'));
  let child: ChildProcess | null = null;
  let port = 0;
  let lastError: unknown = null;
  for (let attempt = 0; attempt < 5 && child === null; attempt += 1) {
    port = await freePort();
    try {
      child = await launch(port, dir, timeoutMs);
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
    if (running === null) return;
    running.kill('SIGTERM');
    if (!(await waitForExit(running, 5000))) {
      running.kill('SIGKILL');
      await waitForExit(running, 5000);
    }
  };
  return {
    host: '127.0.0.1',
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    async start() {
      if (child !== null) return;
      child = await launch(port, dir, timeoutMs);
    },
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
