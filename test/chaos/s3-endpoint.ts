import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort, portAccepts, startProcess } from '@portrait-farm/process-supervision';
import type { ChildHandle } from '@portrait-farm/process-supervision';

const require = createRequire(import.meta.url);

/**
 * An s3rver child process that can be stopped and started again on the same port and data folder: a real outage
 * of the S3 endpoint (connections refused), after which the objects stored before it are all there.
 */
export class S3Endpoint {
  private child: ChildHandle | null = null;

  private constructor(
    readonly port: number,
    private readonly dataDir: string,
    readonly buckets: readonly string[],
  ) {}

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(buckets: readonly string[]): Promise<S3Endpoint> {
    const endpoint = new S3Endpoint(await freePort(), await mkdtemp(join(tmpdir(), 'pf-chaos-s3-')), buckets);
    await endpoint.up();
    return endpoint;
  }

  /** Starts s3rver (again) on the same port and data folder; resolves once the port accepts connections. */
  async up(): Promise<void> {
    if (this.child !== null) return;
    const bin = join(dirname(require.resolve('s3rver/package.json')), 'bin', 's3rver.js');
    // s3rver 3.7.1 encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 only has in its legacy provider.
    const args = ['--openssl-legacy-provider', bin, '-d', this.dataDir, '-a', '127.0.0.1', '-p', String(this.port), '--silent'];
    for (const bucket of this.buckets) args.push('--configure-bucket', bucket);
    this.child = await startProcess({
      name: 's3rver',
      command: process.execPath,
      args,
      readyTimeoutMs: 20_000,
      readyIntervalMs: 50,
      ready: () => portAccepts(this.port),
    });
  }

  /** Stops s3rver (SIGKILL: no goodbye to open connections); the data folder stays. */
  async down(): Promise<void> {
    const child = this.child;
    this.child = null;
    await child?.stop(0);
  }

  async close(): Promise<void> {
    await this.down();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}
