import { describe, expect, it } from 'vitest';
import { createStorage, redact } from './create-storage.ts';
import { STORAGE_ERRORS, StorageError } from './errors.ts';
import { S3Storage } from './s3-storage.ts';

describe('createStorage', () => {
  it('parses s3 URLs with options from the query and credentials from the environment', () => {
    const storage = createStorage('s3://farm-bucket/tenant-a/data?endpoint=http://127.0.0.1:9000&region=eu-west-1', {
      env: { AWS_ACCESS_KEY_ID: 'id', AWS_SECRET_ACCESS_KEY: 'secret' },
    });
    expect(storage).toBeInstanceOf(S3Storage);
    expect(storage.location).toBe('s3://farm-bucket/tenant-a/data/ at http://127.0.0.1:9000');
  });

  it('names the problem in bad URLs', () => {
    const cases: Array<[string, string]> = [
      ['gs://bucket/x', 'unknown scheme "gs:"'],
      ['s3://bucket/x?endpont=http://h', 'unknown parameter "endpont"'],
      ['s3://bucket/x?forcePathStyle=yes', 'forcePathStyle=yes'],
      ['s3://bucket/x?checksums=ALWAYS', 'checksums=ALWAYS'],
      ['s3://Bad_Bucket/x', 'bucket'],
      ['', 'non-empty'],
    ];
    for (const [url, mention] of cases) {
      let caught: unknown;
      try {
        createStorage(url, { env: {} });
      } catch (error) {
        caught = error;
      }
      expect(caught, url).toBeInstanceOf(StorageError);
      expect((caught as StorageError).message, url).toContain(mention);
    }
  });

  it('never repeats a secret from the URL in its errors', () => {
    let caught: unknown;
    try {
      createStorage('s3://key:topsecret@bucket/x?bogus=1', { env: {} });
    } catch (error) {
      caught = error;
    }
    expect((caught as StorageError).message).not.toContain('topsecret');
    expect(redact('s3://key:topsecret@bucket/x')).toBe('s3://key:***@bucket/x');
  });
});

describe('storage error catalogue', () => {
  it('gives every code an HTTP status and a description', () => {
    for (const [code, entry] of Object.entries(STORAGE_ERRORS)) {
      expect(code).toMatch(/^STORAGE_[A-Z_]+$/);
      expect(entry.status).toBeGreaterThanOrEqual(400);
      expect(entry.status).toBeLessThan(600);
      expect(entry.description.length).toBeGreaterThan(10);
      expect(new StorageError(code as keyof typeof STORAGE_ERRORS, 'm').status).toBe(entry.status);
    }
  });

  it('retries only failures of the backing store', () => {
    const retried = Object.entries(STORAGE_ERRORS).filter(([, entry]) => entry.retryable).map(([code]) => code);
    expect(retried).toEqual(['STORAGE_UNAVAILABLE', 'STORAGE_FULL', 'STORAGE_IO']);
  });
});
