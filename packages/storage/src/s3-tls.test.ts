// Issue 19, item 4: an S3-protocol endpoint served over https with a certificate of a private CA: the client trusts
// the CA of tlsCaFile (its own, not the process's), and without it fails with STORAGE_TLS naming TLS and the endpoint.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3rver } from '@portrait-farm/test-support/s3rver';
import type { S3rverProcess } from '@portrait-farm/test-support/s3rver';
import { makeTestCertificates } from '@portrait-farm/test-support/tls-certificates';
import type { TestCertificates } from '@portrait-farm/test-support/tls-certificates';
import { createStorage } from './create-storage.ts';
import { StorageError } from './errors.ts';
import { S3Storage } from './s3-storage.ts';

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const dir = mkdtempSync(join(tmpdir(), 'pf-s3-tls-'));
let certificates: TestCertificates;
let otherCa: TestCertificates;
let server: S3rverProcess;

beforeAll(async () => {
  certificates = makeTestCertificates(dir, 's3');
  otherCa = makeTestCertificates(dir, 'other');
  server = await startS3rver(['tls-bucket'], 20_000, certificates);
}, 30_000);

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('S3 over https with a private CA', () => {
  it('round-trips objects and checks readiness with the CA of tlsCaFile', async () => {
    expect(server.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const url = `s3://S3RVER:S3RVER@tls-bucket/run-${randomUUID()}?endpoint=${encodeURIComponent(server.endpoint)}`;
    const storage = createStorage(url, { s3TlsCaFile: certificates.caFile });
    try {
      await storage.check();
      await storage.put('jobs/1/input/audio.wav', Buffer.from('over https'));
      expect((await storage.get('jobs/1/input/audio.wav')).toString()).toBe('over https');
    } finally {
      await storage.close();
    }
  });

  for (const [what, caFile] of [['another CA', () => otherCa.caFile], ['no CA (the system CAs only)', () => undefined]] as const) {
    it(`with ${what} fails with STORAGE_TLS naming TLS and the endpoint`, async () => {
      const file = caFile();
      const storage = new S3Storage({ bucket: 'tls-bucket', endpoint: server.endpoint, credentials, maxAttempts: 1, ...(file === undefined ? {} : { tlsCaFile: file }) });
      try {
        const started = Date.now();
        const error = await storage.get('jobs/1/input/audio.wav').catch((e: unknown) => e);
        expect(Date.now() - started).toBeLessThan(5000);
        expect(error).toBeInstanceOf(StorageError);
        expect(error).toMatchObject({ code: 'STORAGE_TLS' });
        expect((error as Error).message).toContain(`TLS to s3://tls-bucket/ at ${server.endpoint} failed`);
        expect((error as Error).message).toContain('PORTRAIT_FARM_S3_CA');
        // The readiness check says the same.
        await expect(storage.check()).rejects.toMatchObject({ code: 'STORAGE_TLS', message: expect.stringContaining('TLS to s3://tls-bucket/') as string });
      } finally {
        await storage.close();
      }
    });
  }

  it('refuses a CA for an http endpoint and a file without a certificate', () => {
    expect(() => new S3Storage({ bucket: 'tls-bucket', endpoint: 'http://127.0.0.1:9000', tlsCaFile: certificates.caFile })).toThrow(/tlsCaFile must be given only with an https endpoint/);
    expect(() => new S3Storage({ bucket: 'tls-bucket', endpoint: server.endpoint, tlsCaFile: certificates.keyFile })).toThrow(/-----BEGIN CERTIFICATE-----/);
  });
});
