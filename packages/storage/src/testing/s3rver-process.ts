import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A running s3rver child process on 127.0.0.1, for tests. */
export interface S3rverProcess {
  endpoint: string;
  port: number;
  /** Buckets created at start-up. */
  buckets: readonly string[];
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);

function s3rverBin(): string {
  return join(dirname(require.resolve('s3rver/package.json')), 'bin', 's3rver.js');
}

function waitForPort(port: number, deadline: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`s3rver did not accept connections on port ${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
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

/**
 * Starts s3rver on 127.0.0.1 with a port chosen by the OS (-p 0, read back from its start-up line) and a fresh
 * data directory, creating `buckets`, and waits until the port accepts connections.
 */
export async function startS3rver(buckets: readonly string[], timeoutMs = 20_000): Promise<S3rverProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'pf-s3rver-'));
  // s3rver 3.7.1 encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 only has in its legacy provider.
  const args = ['--openssl-legacy-provider', s3rverBin(), '-d', dataDir, '-a', '127.0.0.1', '-p', '0', '--silent'];
  for (const bucket of buckets) args.push('--configure-bucket', bucket);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const deadline = Date.now() + timeoutMs;
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`s3rver did not start within ${timeoutMs} ms: ${output}`)), timeoutMs);
    const onData = (data: Buffer) => {
      output += data.toString();
      const match = /listening on [\d.]+:(\d+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited with code ${String(code)} before listening: ${output}`));
    });
  }).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  await waitForPort(port, deadline);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    buckets,
    async stop() {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 5000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5000);
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
