import { describe, expect, it } from 'vitest';
import { loadGatewayConfig, parseApiKeyList, resolveGatewayConfig } from './config.ts';

const minimal = { redisUrl: 'redis://127.0.0.1:6379', storageUrl: '/tmp/x', publicBaseUrl: 'https://farm.example.com/', apiKeys: { 'secret-key-1': 'acme' } };

describe('gateway configuration', () => {
  it('fills defaults once and freezes the result', () => {
    const config = resolveGatewayConfig(minimal);
    expect(config.publicBaseUrl).toBe('https://farm.example.com');
    expect(config.limits).toEqual({
      maxUploadBytes: 52_428_800,
      maxImagePixels: 40_000_000,
      maxAudioSeconds: 600,
      requestsPerMinute: 600,
      jobsPerMinute: 60,
      maxConcurrentJobs: 10,
    });
    expect(config.inputFetch).toMatchObject({ allowHttp: false, allowLoopback: false, allowPrivate: false });
    expect(Object.isFrozen(config) && Object.isFrozen(config.limits)).toBe(true);
  });

  it('names the field, the range and the value it refuses', () => {
    expect(() => resolveGatewayConfig({ ...minimal, limits: { maxAudioSeconds: 0 } })).toThrow(
      'limits.maxAudioSeconds must be an integer between 1 and 86400. Received: 0',
    );
    expect(() => resolveGatewayConfig({ ...minimal, apiKeys: {} })).toThrow('apiKeys must map at least one API key');
    expect(() => resolveGatewayConfig({ ...minimal, apiKeys: { short: 'acme' } })).toThrow('at least 8 characters');
    expect(() => resolveGatewayConfig({ ...minimal, publicBaseUrl: 'farm' })).toThrow('publicBaseUrl must be an absolute http(s) URL');
  });

  it('reads the environment', () => {
    expect(parseApiKeyList('k-0000001:acme, k-0000002:globex')).toEqual({ 'k-0000001': 'acme', 'k-0000002': 'globex' });
    const config = loadGatewayConfig({
      PORTRAIT_FARM_REDIS_URL: 'redis://redis:6379',
      PORTRAIT_FARM_STORAGE_URL: 's3://bucket/prefix',
      PORTRAIT_FARM_PUBLIC_URL: 'https://api.example.com',
      PORTRAIT_FARM_API_KEYS: 'key-00000001:acme',
      PORTRAIT_FARM_MAX_CONCURRENT_JOBS: '3',
    });
    expect(config).toMatchObject({ redisUrl: 'redis://redis:6379', apiKeys: { 'key-00000001': 'acme' }, limits: { maxConcurrentJobs: 3 } });
    // As main.ts loads it: S3 storage needs no presign secret of the gateway's own.
    expect(loadGatewayConfig({ PORTRAIT_FARM_STORAGE_URL: 's3://bucket/prefix', PORTRAIT_FARM_API_KEYS: 'key-00000001:acme' }, { logger: true })).toMatchObject({
      logger: true,
      presignSecret: null,
    });
    expect(() => loadGatewayConfig({ PORTRAIT_FARM_STORAGE_URL: '/x', PORTRAIT_FARM_API_KEYS: 'key-00000001:acme', PORTRAIT_FARM_JOBS_PER_MINUTE: 'ten' })).toThrow(
      'PORTRAIT_FARM_JOBS_PER_MINUTE must be a whole number. Received: ten',
    );
  });
});
