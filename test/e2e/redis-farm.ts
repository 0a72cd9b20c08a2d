import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { startLocalFarm } from 'portrait-farm/local-farm';
import type { LocalFarm } from 'portrait-farm/local-farm';
import { jobStorageKeys } from '@portrait-farm/jobs';
import { createStorage } from '@portrait-farm/storage';
import type { CreateStorageOptions } from '@portrait-farm/storage';
import { writeEngineTestPack } from '@portrait-farm/test-support/engine-test-pack';
import { getJob, sha256 } from './farm-harness.ts';

/**
 * A one-worker local farm on a Redis the test started (Cluster, Sentinel, TLS): its work dir holds a 4-step engine
 * test pack, the farm's data, temp and (by default) local storage; PF_E2E_VERBOSE=1 prints the farm's log lines.
 */
export interface RedisFarm {
  farm: LocalFarm;
  /** The work dir (mkdtemp), removed by {@link stopRedisFarm}. */
  work: string;
  storageUrl: string;
}

/** A fresh work dir for {@link startRedisFarm} (named pf-e2e-`name`-…). */
export function farmWorkDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `pf-e2e-${name}-`));
}

export interface RedisFarmOptions {
  redisUrl: string;
  prefix: string;
  /** The Redis settings (PORTRAIT_FARM_REDIS_*); temp dir and CPU provider are added. */
  env: Record<string, string>;
  /** Default: a folder of the work dir. */
  storageUrl?: string;
}

export async function startRedisFarm(work: string, options: RedisFarmOptions): Promise<RedisFarm> {
  const pack = join(work, 'pack');
  writeEngineTestPack(pack, { defaultSteps: 4 });
  mkdirSync(join(work, 'tmp'));
  const storageUrl = options.storageUrl ?? join(work, 'storage');
  const farm = await startLocalFarm({
    workers: 1,
    port: 0,
    redisUrl: options.redisUrl,
    storageUrl,
    dataDir: join(work, 'farm'),
    packDir: pack,
    prefix: options.prefix,
    env: { ...options.env, PORTRAIT_FARM_TEMP_DIR: join(work, 'tmp'), PORTRAIT_FARM_PROVIDERS: 'cpu' },
    log: (line) => {
      if (process.env['PF_E2E_VERBOSE'] === '1') process.stdout.write(`${line}\n`);
    },
  });
  return { farm, work, storageUrl };
}

/** Stops the farm, then the Redis (and other services) it ran on, then removes the work dir. */
export async function stopRedisFarm(work: string, farm: LocalFarm | undefined, ...services: Array<() => Promise<unknown> | undefined>): Promise<void> {
  await farm?.stop();
  for (const stop of services) await stop();
  rmSync(work, { recursive: true, force: true });
}

export type FarmJob = Record<string, unknown> & { status: string };

/** GET /v1/jobs/{id}, or null while the gateway answers an error (no primary for the farm's keys during a failover). */
export async function readJob(farm: LocalFarm, id: string): Promise<FarmJob | null> {
  const job = await getJob(farm.apiUrl, farm.apiKey, id).catch(() => null);
  return job !== null && typeof job.status === 'string' ? job : null;
}

/** Expects the job's output (sha256, size) to be the bytes the farm stored for it. */
export async function expectStoredOutput(storageUrl: string, job: FarmJob, id: string, storageOptions?: CreateStorageOptions): Promise<void> {
  const storage = createStorage(storageUrl, storageOptions);
  try {
    const output = await storage.get(jobStorageKeys.output(id));
    expect(job['output']).toMatchObject({ sha256: sha256(output), size: output.length });
  } finally {
    await storage.close();
  }
}
