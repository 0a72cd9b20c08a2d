import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadGatewayConfig, loadGatewayProcessConfig, parseApiKeyList, resolveGatewayConfig } from './config.ts';

const minimal = { redisUrl: 'redis://127.0.0.1:6379', storageUrl: '/tmp/x', publicBaseUrl: 'https://farm.example.com/', apiKeys: { 'secret-key-1': 'acme' } };
const WHSEC = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const dir = mkdtempSync(join(tmpdir(), 'pf-gateway-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gateway configuration', () => {
  it('fills the defaults of the configuration schema once and freezes the result', () => {
    const config = resolveGatewayConfig(minimal);
    expect(config.publicBaseUrl).toBe('https://farm.example.com');
    expect(config.limits).toEqual({
      maxUploadBytes: 52_428_800,
      maxImagePixels: 40_000_000,
      maxAudioSeconds: 600,
      requestsPerMinute: 600,
      jobsPerMinute: 60,
      maxConcurrentJobs: 10,
      maxQueuedJobs: 1000,
    });
    expect(config.inputFetch).toEqual({ allowHttp: false, allowLoopback: false, allowPrivate: false, timeoutMs: 30_000 });
    expect(config).toMatchObject({ prefix: 'pf', presignSecret: null, idempotencyTtlSeconds: 86_400, presignSeconds: 3600, logger: false, webhookSecrets: {} });
    expect(config.webhooks).toEqual({ runWorker: false, allowLoopback: false, allowPrivate: false, allowHosts: [], concurrency: 8, retryScheduleMs: null });
    expect(config.retentionDays).toBe(30);
    expect(Object.isFrozen(config) && Object.isFrozen(config.limits) && Object.isFrozen(config.webhooks)).toBe(true);
  });

  it('names the field, its variable, the range and the value it refuses', () => {
    expect(() => resolveGatewayConfig({ ...minimal, limits: { maxAudioSeconds: 0 } })).toThrow(
      'limits.maxAudioSeconds (PORTRAIT_FARM_MAX_AUDIO_SECONDS) must be an integer from 1 to 86400. Given: 0.',
    );
    expect(() => resolveGatewayConfig({ ...minimal, apiKeys: {} })).toThrow('apiKeys must map at least one API key');
    expect(() => resolveGatewayConfig({ ...minimal, apiKeys: { short: 'acme' } })).toThrow(
      'apiKeys of tenant "acme": the key must be at least 8 characters (it has 5).',
    );
    expect(() => resolveGatewayConfig({ ...minimal, apiKeys: { 'secret-key-1': 'a:b' } })).toThrow('the tenant id "a:b" must be 1-64 letters');
    expect(() => resolveGatewayConfig({ ...minimal, publicBaseUrl: 'farm' })).toThrow(
      'publicBaseUrl (PORTRAIT_FARM_PUBLIC_URL) must be an absolute http:// or https:// URL. Given: "farm" (not a valid absolute URL).',
    );
    expect(() => resolveGatewayConfig({ ...minimal, redisUrl: 'redis://:hunter2@host:bad' })).toThrow('Given: "redis://:***@host:bad"');
    expect(() => resolveGatewayConfig({ ...minimal, storageUrl: ' ' })).toThrow('storageUrl (PORTRAIT_FARM_STORAGE_URL) must be a folder path or a storage URL');
    expect(() => resolveGatewayConfig({ ...minimal, presignSecret: 'short' })).toThrow('Given: *** (5 characters).');
    expect(() => resolveGatewayConfig({ ...minimal, webhooks: { retryScheduleMs: [1, -1] } })).toThrow('webhooks.retryScheduleMs (PORTRAIT_FARM_WEBHOOK_RETRY_MS)');
    expect(() => resolveGatewayConfig({ ...minimal, webhookSecrets: { acme: 'nope' } })).toThrow('webhookSecrets of tenant acme');
  });

  it('reads Redis Sentinel from the sentinels and master name, given together', () => {
    expect(resolveGatewayConfig(minimal).redisSentinel).toBeNull();
    const env = { PORTRAIT_FARM_REDIS_SENTINELS: '10.0.0.1:26379,10.0.0.2:26379', PORTRAIT_FARM_REDIS_SENTINEL_MASTER: 'pf', PORTRAIT_FARM_API_KEYS: 'secret-key-1:acme', PORTRAIT_FARM_STORAGE_URL: '/tmp/x' };
    expect(loadGatewayConfig(env).redisSentinel).toEqual({ sentinels: ['10.0.0.1:26379', '10.0.0.2:26379'], masterName: 'pf', password: null });
    expect(() => resolveGatewayConfig({ ...minimal, redisSentinels: ['10.0.0.1:26379'] })).toThrow('needs the name the sentinels monitor the primary under in PORTRAIT_FARM_REDIS_SENTINEL_MASTER');
    expect(() => resolveGatewayConfig({ ...minimal, redisSentinels: ['nope'], redisSentinelMaster: 'pf' })).toThrow('redisSentinels (PORTRAIT_FARM_REDIS_SENTINELS) must be a comma list of host:port');
  });

  it('reads Redis Cluster: the start nodes, and the key prefix in a hash tag', () => {
    expect(resolveGatewayConfig(minimal)).toMatchObject({ redisClusterNodes: null, prefix: 'pf' });
    expect(resolveGatewayConfig({ ...minimal, redisClusterNodes: ['10.0.0.1:6379'], prefix: 'farm-a' })).toMatchObject({ redisClusterNodes: ['10.0.0.1:6379'], prefix: '{farm-a}' });
    expect(() => resolveGatewayConfig({ ...minimal, redisClusterNodes: ['nope'] })).toThrow('redisClusterNodes (PORTRAIT_FARM_REDIS_CLUSTER_NODES) must be a comma list of host:port');
  });

  it('reads the environment', () => {
    expect(parseApiKeyList('k-0000001:acme, k-0000002:globex')).toEqual({ 'k-0000001': 'acme', 'k-0000002': 'globex' });
    const config = loadGatewayConfig({
      PORTRAIT_FARM_REDIS_URL: 'redis://redis:6379',
      PORTRAIT_FARM_STORAGE_URL: 's3://bucket/prefix',
      PORTRAIT_FARM_PUBLIC_URL: 'https://api.example.com',
      PORTRAIT_FARM_API_KEYS: 'key-00000001:acme',
      PORTRAIT_FARM_MAX_CONCURRENT_JOBS: '3',
      PORTRAIT_FARM_INPUT_ALLOW_HTTP: '1',
      PORTRAIT_FARM_WEBHOOK_WORKER: 'true',
      PORTRAIT_FARM_WEBHOOK_ALLOW_LOOPBACK: '1',
      PORTRAIT_FARM_WEBHOOK_RETRY_MS: '10,20',
    });
    expect(config).toMatchObject({
      redisUrl: 'redis://redis:6379',
      apiKeys: { 'key-00000001': 'acme' },
      limits: { maxConcurrentJobs: 3 },
      inputFetch: { allowHttp: true },
      webhooks: { runWorker: true, allowLoopback: true, retryScheduleMs: [10, 20] },
    });
    // As main.ts loads it: S3 storage needs no presign secret of the gateway's own; PORT and HOST for the listener.
    const process = loadGatewayProcessConfig({ PORTRAIT_FARM_STORAGE_URL: 's3://bucket/prefix', PORTRAIT_FARM_API_KEYS: 'key-00000001:acme', PORT: '9090' }, { logger: true });
    expect(process).toMatchObject({ port: 9090, host: '0.0.0.0', config: { logger: true, presignSecret: null, redisUrl: 'redis://127.0.0.1:6379' } });
    expect(() => loadGatewayConfig({ PORTRAIT_FARM_STORAGE_URL: '/x', PORTRAIT_FARM_API_KEYS: 'key-00000001:acme', PORTRAIT_FARM_JOBS_PER_MINUTE: 'ten' })).toThrow(
      'PORTRAIT_FARM_JOBS_PER_MINUTE must be an integer from 1 to 1000000. Given: "ten" (not a whole number).',
    );
    expect(() => loadGatewayConfig({ PORTRAIT_FARM_API_KEYS: 'key-00000001:acme' })).toThrow('storageUrl (PORTRAIT_FARM_STORAGE_URL) must be');
    expect(() => loadGatewayConfig({ PORTRAIT_FARM_STORAGE_URL: '/x', PORTRAIT_FARM_API_KEY: 'key-00000001:acme' })).toThrow(
      'PORTRAIT_FARM_API_KEY is not a variable of the farm; did you mean PORTRAIT_FARM_API_KEYS?',
    );
  });

  it('splits webhook secrets at the first ":", like the stitcher, and keeps two secrets of one tenant', () => {
    const config = loadGatewayConfig({
      PORTRAIT_FARM_STORAGE_URL: 's3://bucket/prefix',
      PORTRAIT_FARM_API_KEYS: 'key-00000001:acme',
      PORTRAIT_FARM_WEBHOOK_SECRETS: `acme:${WHSEC},acme:whsec_${'A'.repeat(24)},globex:${WHSEC}`,
    });
    expect(config.webhookSecrets).toEqual({ acme: [WHSEC, `whsec_${'A'.repeat(24)}`], globex: [WHSEC] });
  });

  it('layers the variables over PORTRAIT_FARM_CONFIG\'s file, which gets the same checks', () => {
    const file = join(dir, 'gateway.json');
    const keys = join(dir, 'keys.json');
    writeFileSync(file, JSON.stringify({ ...minimal, prefix: 'from-file', limits: { jobsPerMinute: 7, maxAudioSeconds: 30 }, inputFetch: { allowHttp: true } }));
    writeFileSync(keys, JSON.stringify({ 'file-key-0001': 'globex' }));
    const config = loadGatewayConfig({ PORTRAIT_FARM_CONFIG: file, PORTRAIT_FARM_API_KEYS_FILE: keys, PORTRAIT_FARM_JOBS_PER_MINUTE: '9', PORTRAIT_FARM_PREFIX: '' });
    expect(config).toMatchObject({
      prefix: 'from-file',
      storageUrl: '/tmp/x',
      limits: { jobsPerMinute: 9, maxAudioSeconds: 30 },
      inputFetch: { allowHttp: true },
      apiKeys: { 'secret-key-1': 'acme', 'file-key-0001': 'globex' },
    });
    writeFileSync(file, JSON.stringify({ ...minimal, limits: { jobsPerMinute: 0 } }));
    expect(() => loadGatewayConfig({ PORTRAIT_FARM_CONFIG: file })).toThrow('limits.jobsPerMinute (PORTRAIT_FARM_JOBS_PER_MINUTE) must be an integer from 1 to 1000000. Given: 0.');
    writeFileSync(file, '{ not json');
    expect(() => loadGatewayConfig({ PORTRAIT_FARM_CONFIG: file })).toThrow(`PORTRAIT_FARM_CONFIG names ${file}, which is not a readable JSON file`);
  });
});
