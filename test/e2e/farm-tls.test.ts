import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalFarm } from 'portrait-farm/local-farm';
import { startRedisServer, uniquePrefix } from '@portrait-farm/test-support/redis-server';
import type { RedisServerProcess } from '@portrait-farm/test-support/redis-server';
import { startS3rver } from '@portrait-farm/test-support/s3rver';
import type { S3rverProcess } from '@portrait-farm/test-support/s3rver';
import { makeTestCertificates } from '@portrait-farm/test-support/tls-certificates';
import type { TestCertificates } from '@portrait-farm/test-support/tls-certificates';
import { FIXTURES, getJob, submitJob, until } from './farm-harness.ts';
import { expectStoredOutput, farmWorkDir, startRedisFarm, stopRedisFarm } from './redis-farm.ts';

// Issue 19, item 4: the gateway, a worker and the stitcher as real processes on Redis over TLS (rediss://) and S3
// over https, both with certificates of a private CA the test makes, given as PORTRAIT_FARM_REDIS_CA and _S3_CA.
const work = farmWorkDir('tls');
let certificates: TestCertificates;
let redis: RedisServerProcess;
let s3: S3rverProcess;
let storageUrl = '';
let farm: LocalFarm;

beforeAll(async () => {
  certificates = makeTestCertificates(work, 'farm');
  [redis, s3] = await Promise.all([startRedisServer({ tls: certificates }), startS3rver(['farm'], 20_000, certificates)]);
  storageUrl = `s3://S3RVER:S3RVER@farm/tls?endpoint=${encodeURIComponent(s3.endpoint)}&region=us-east-1`;
  ({ farm } = await startRedisFarm(work, {
    redisUrl: redis.url,
    storageUrl,
    prefix: uniquePrefix('tls'),
    env: { PORTRAIT_FARM_REDIS_CA: certificates.caFile, PORTRAIT_FARM_S3_CA: certificates.caFile },
  }));
}, 180_000);

afterAll(() => stopRedisFarm(work, farm, () => s3?.stop(), () => redis?.close()), 60_000);

describe('farm over TLS with a private CA', () => {
  it('renders a job end to end through Redis over TLS and S3 over https', async () => {
    expect(redis.url).toMatch(/^rediss:/);
    expect(s3.endpoint).toMatch(/^https:/);
    const ready = await fetch(`${farm.apiUrl}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { redis: 'ok', storage: 'ok' } });
    const created = await submitJob(farm.apiUrl, farm.apiKey, { image: join(FIXTURES, 'astronaut.png'), audio: join(FIXTURES, 'speech-3s.wav') });
    expect(created.status).toBe(202);
    const id = created.body.id;
    let job = await getJob(farm.apiUrl, farm.apiKey, id);
    await until('the job ends', async () => {
      job = await getJob(farm.apiUrl, farm.apiKey, id);
      return ['succeeded', 'failed', 'canceled'].includes(job.status);
    }, 150_000, 500);
    expect(job).toMatchObject({ status: 'succeeded' });
    await expectStoredOutput(storageUrl, job, id, { s3TlsCaFile: certificates.caFile });
  }, 180_000);

  it('a stitcher given another CA stops at start with an error naming TLS and the endpoint', () => {
    const other = makeTestCertificates(work, 'other');
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PORTRAIT_FARM_')));
    const stitcher = spawnSync(process.execPath, ['--conditions=portrait-farm-source', '--import', 'tsx', fileURLToPath(new URL('../../apps/stitcher/src/main.ts', import.meta.url))], {
      env: { ...inherited, PORTRAIT_FARM_REDIS_URL: redis.url, PORTRAIT_FARM_REDIS_CA: other.caFile, PORTRAIT_FARM_STORAGE_URL: join(work, 'storage'), PORTRAIT_FARM_METRICS: '0' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(stitcher.signal).toBeNull();
    expect(stitcher.status).not.toBe(0);
    expect(stitcher.stderr).toContain(`TLS to Redis at rediss://127.0.0.1:${redis.port} failed`);
    expect(stitcher.stderr).toContain('PORTRAIT_FARM_REDIS_CA');
  }, 90_000);
});
