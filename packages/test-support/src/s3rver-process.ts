import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { portAccepts, startProcess } from '@portrait-farm/process-supervision';

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

/** The port of s3rver's start-up line ("S3rver listening on 127.0.0.1:PORT"), once printed. */
function listeningPort(lines: readonly string[]): number | null {
  for (const line of lines) {
    const port = /listening on [\d.]+:(\d+)/.exec(line)?.[1];
    if (port !== undefined) return Number(port);
  }
  return null;
}

/**
 * Starts s3rver on 127.0.0.1 with a port chosen by the OS (-p 0, read back from its start-up line) and a fresh
 * data directory, creating `buckets`, and waits until the port accepts connections. With `tls` (a certificate and
 * key, see tls-certificates.ts) it serves https only.
 */
export async function startS3rver(buckets: readonly string[], timeoutMs = 20_000, tls?: { certFile: string; keyFile: string }): Promise<S3rverProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'pf-s3rver-'));
  // s3rver 3.7.1 encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 only has in its legacy provider.
  const args = ['--openssl-legacy-provider', s3rverBin(), '-d', dataDir, '-a', '127.0.0.1', '-p', '0', '--silent'];
  if (tls !== undefined) args.push('--cert', tls.certFile, '--key', tls.keyFile);
  for (const bucket of buckets) args.push('--configure-bucket', bucket);
  let port: number | null = null;
  const child = await startProcess({
    name: 's3rver',
    command: process.execPath,
    args,
    readyTimeoutMs: timeoutMs,
    readyIntervalMs: 50,
    ready: async (c) => {
      port ??= listeningPort(c.recentLines());
      return port !== null && (await portAccepts(port));
    },
  }).catch(async (error: unknown) => {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  return {
    endpoint: `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port!}`,
    port: port!,
    buckets,
    async stop() {
      await child.stop(5000);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
