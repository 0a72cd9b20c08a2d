// Issue 19, item 4: the gateway on Redis over TLS (rediss://) and S3 over https, both with certificates of a private
// CA given by redisCa / s3Ca (PORTRAIT_FARM_REDIS_CA, PORTRAIT_FARM_S3_CA): ready, and a job created and read; with a
// CA that did not sign them, /readyz answers 503 at once with checks that name TLS and each endpoint.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer } from '@portrait-farm/test-support/redis-server';
import type { RedisServerProcess } from '@portrait-farm/test-support/redis-server';
import { startS3rver } from '@portrait-farm/test-support/s3rver';
import type { S3rverProcess } from '@portrait-farm/test-support/s3rver';
import { makeTestCertificates } from '@portrait-farm/test-support/tls-certificates';
import type { TestCertificates } from '@portrait-farm/test-support/tls-certificates';
import { wavTone } from './testing/media-fixtures.ts';
import { auth, GatewayHarness, jobForm } from './testing/gateway-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'pf-gateway-tls-'));
let certificates: TestCertificates;
let otherCa: TestCertificates;
let harness: GatewayHarness;
let tlsRedis: RedisServerProcess;
let s3: S3rverProcess;

beforeAll(async () => {
  certificates = makeTestCertificates(dir, 'farm');
  otherCa = makeTestCertificates(dir, 'other');
  [harness, tlsRedis, s3] = await Promise.all([GatewayHarness.start(), startRedisServer({ tls: certificates }), startS3rver(['farm'], 20_000, certificates)]);
}, 30_000);

afterAll(async () => {
  await harness?.close();
  await tlsRedis?.close();
  await s3?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function overTls(caFile: string): Parameters<GatewayHarness['gateway']>[0] {
  return {
    redisUrl: tlsRedis.url,
    redisCa: caFile,
    storageUrl: `s3://S3RVER:S3RVER@farm/tls?endpoint=${encodeURIComponent(s3.endpoint)}&region=us-east-1`,
    s3Ca: caFile,
  };
}

describe('gateway over TLS with a private CA', () => {
  it('is ready, and creates and reads a job through Redis over TLS and S3 over https', async () => {
    const gateway = await harness.gateway(overTls(certificates.caFile));
    const ready = await gateway.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.json()).toEqual({ status: 'ready', checks: { redis: 'ok', storage: 'ok' } });
    const form = await jobForm({ audio: wavTone(0.5) });
    const created = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(undefined, form.headers), payload: form.payload });
    expect(created.statusCode).toBe(202);
    const id = created.json<{ id: string }>().id;
    const read = await gateway.app.inject({ method: 'GET', url: `/v1/jobs/${id}`, headers: auth() });
    expect(read.json()).toMatchObject({ id, status: 'queued' });
    const record = (await gateway.context.jobs.getById(id))!;
    expect(await gateway.context.storage.get(record.inputs.audio.key)).toEqual(wavTone(0.5));
  });

  it('with another CA answers /readyz 503 at once, naming TLS and each endpoint', async () => {
    const gateway = await harness.gateway(overTls(otherCa.caFile));
    const started = Date.now();
    const ready = await gateway.app.inject({ method: 'GET', url: '/readyz' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(ready.statusCode).toBe(503);
    const { checks } = ready.json<{ checks: { redis: string; storage: string } }>();
    expect(checks.redis).toContain(`TLS to Redis at rediss://127.0.0.1:${tlsRedis.port} failed`);
    expect(checks.storage).toContain(`TLS to s3://farm/tls/ at ${s3.endpoint} failed`);
  });
});
