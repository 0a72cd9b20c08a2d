import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, isConfigError } from './config-error.ts';
import { closestName } from './did-you-mean.ts';
import { ENVIRONMENT } from './environment.ts';
import { checkSetting, loadConfig, readGivenConfig } from './load-config.ts';
import { parseEnvironment } from './parse-environment.ts';
import { flag, integer } from './value-forms.ts';
import { variable } from './variable.ts';

const WHSEC = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const farm = { PORTRAIT_FARM_STORAGE_URL: '/tmp/pf-storage' };

/** The ConfigError `load` throws. */
function errorOf(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    if (isConfigError(error)) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseEnvironment', () => {
  it('fills the defaults of what each role reads, and nothing else', () => {
    const worker = loadConfig('worker', farm);
    expect(worker).toEqual({
      redisUrl: 'redis://127.0.0.1:6379',
      redisCa: null,
      redisSentinels: null,
      redisSentinelMaster: null,
      redisSentinelPassword: null,
      redisClusterNodes: null,
      storageUrl: '/tmp/pf-storage',
      s3Ca: null,
      prefix: 'pf',
      tempDir: tmpdir(),
      packDir: null,
      providers: null,
      workerCores: null,
      renderThreads: null,
      renderer: 'cpu',
      warmUp: true,
      prepareConcurrency: 1,
      segmentConcurrency: 2,
      lockMs: 30_000,
      stalledIntervalMs: 30_000,
      watermarkKey: null,
      metricsServer: true,
      metricsPort: 9464,
      metricsHost: '0.0.0.0',
      sessionsPerWorker: 1,
      workerRole: 'both',
      sessionPort: 0,
      sessionHost: '0.0.0.0',
      sessionInternalUrl: null,
      webrtcHostAddresses: null,
      webrtcPorts: null,
    });
    const stitcher = loadConfig('stitcher', farm);
    expect(stitcher).toMatchObject({ stitchConcurrency: 2, webhookSecrets: null, webhookAllowLoopback: false, webhookRetryMs: null });
    expect('renderThreads' in stitcher).toBe(false);
    const gateway = loadConfig('gateway', {});
    expect(gateway).toMatchObject({ storageUrl: null, publicBaseUrl: 'http://127.0.0.1:8080', port: 8080, host: '0.0.0.0', maxUploadBytes: 52_428_800, webhookWorker: false });
    expect(gateway).toMatchObject({ sessionMaxSeconds: 3600, sessionIdleSeconds: 60, sessionConnectSeconds: 30, sessionsPerTenant: 0 });
    expect(loadConfig('local-farm', {})).toEqual({
      apiKeys: null,
      operatorKey: null,
      packDir: null,
      verbose: false,
      webhookAllowLoopback: false,
      webhookAllowPrivate: false,
      webhookAllowHosts: null,
    });
  });

  it('reads every form from the environment; an empty value counts as unset', () => {
    const config = loadConfig(['worker', 'stitcher'], {
      ...farm,
      PORTRAIT_FARM_REDIS_URL: 'rediss://u:pw@redis.internal:6380',
      PORTRAIT_FARM_PROVIDERS: 'cpu',
      PORTRAIT_FARM_RENDER_THREADS: '4',
      PORTRAIT_FARM_WORKER_CORES: '6',
      PORTRAIT_FARM_WEBHOOK_SECRETS: `acme:${WHSEC},globex:${WHSEC}`,
      PORTRAIT_FARM_WEBHOOK_ALLOW_LOOPBACK: 'true',
      PORTRAIT_FARM_WEBHOOK_RETRY_MS: '40, 80',
      PORTRAIT_FARM_PACK: 'models/starter',
      PORTRAIT_FARM_PREFIX: '',
    });
    expect(config).toMatchObject({
      redisUrl: 'rediss://u:pw@redis.internal:6380',
      providers: ['cpu'],
      renderThreads: 4,
      workerCores: 6,
      webhookSecrets: [['acme', WHSEC], ['globex', WHSEC]],
      webhookAllowLoopback: true,
      webhookRetryMs: [40, 80],
      prefix: 'pf',
    });
    expect(config.packDir?.endsWith('/models/starter')).toBe(true);
  });

  it('returns a frozen object, lists included', () => {
    const config = loadConfig('stitcher', { ...farm, PORTRAIT_FARM_WEBHOOK_SECRETS: `acme:${WHSEC}`, PORTRAIT_FARM_WEBHOOK_RETRY_MS: '1,2' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.webhookRetryMs) && Object.isFrozen(config.webhookSecrets) && Object.isFrozen(config.webhookSecrets?.[0])).toBe(true);
    expect(() => {
      (config as { lockMs: number }).lockMs = 1;
    }).toThrow(TypeError);
  });

  it('names the variable, the expected form and the value given', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ PORTRAIT_FARM_LOCK_MS: '50' }, 'PORTRAIT_FARM_LOCK_MS must be an integer from 1000 to 3600000. Given: "50".'],
      [{ PORTRAIT_FARM_RENDER_THREADS: 'two' }, 'PORTRAIT_FARM_RENDER_THREADS must be an integer from 1 to 32. Given: "two" (not a whole number).'],
      [{ PORTRAIT_FARM_REDIS_URL: 'http://x' }, 'PORTRAIT_FARM_REDIS_URL must be an absolute redis:// or rediss:// URL. Given: "http://x" (http:// is not one of them).'],
      [{ PORTRAIT_FARM_PREFIX: 'a:b' }, 'PORTRAIT_FARM_PREFIX must be 1-64 letters, digits, "-" or "_". Given: "a:b".'],
      [{ PORTRAIT_FARM_WEBHOOK_ALLOW_LOOPBACK: 'yes' }, 'PORTRAIT_FARM_WEBHOOK_ALLOW_LOOPBACK must be 1, 0, true or false. Given: "yes".'],
      [
        { PORTRAIT_FARM_PROVIDERS: 'cuda,tpu' },
        'PORTRAIT_FARM_PROVIDERS must be a comma list of cuda, webgpu, cpu, or auto. Given: "cuda,tpu" (entry 2, "tpu", is not one of cuda, webgpu, cpu).',
      ],
      [
        { PORTRAIT_FARM_WEBHOOK_RETRY_MS: '40,soon' },
        'PORTRAIT_FARM_WEBHOOK_RETRY_MS must be a comma list of delays in whole milliseconds, 0 to 604800000 each. Given: "40,soon" (entry 2, "soon", is not an integer from 0 to 604800000: not a whole number).',
      ],
    ];
    for (const [env, message] of cases) {
      const error = errorOf(() => loadConfig(['worker', 'stitcher'], { ...farm, ...env }));
      expect(error.message).toBe(message);
      expect(error.code).toBe('CONFIG_INVALID');
      const [name] = Object.keys(env);
      expect(error.problems).toEqual([expect.objectContaining({ kind: 'malformed', variable: name, expected: ENVIRONMENT[name as keyof typeof ENVIRONMENT].form.expected })]);
    }
  });

  it('names a missing required variable and the roles that need it', () => {
    const error = errorOf(() => loadConfig(['worker', 'stitcher'], {}));
    expect(error.message).toBe(
      'PORTRAIT_FARM_STORAGE_URL must be a folder path or a storage URL (file:///dir, s3://bucket/prefix?endpoint=...&region=...). Given: nothing (the worker and stitcher cannot start without it).',
    );
    expect(error.problems[0]).toMatchObject({ kind: 'missing', given: null });
    // The gateway may take it from its config file instead.
    expect(loadConfig('gateway', {}).storageUrl).toBeNull();
  });

  it('never shows a secret, a key or a URL password', () => {
    const secrets = ['hunter2-redis', 'AKIAEXAMPLE:s3-secret-value', 'presign-short', 'whsec_c2hvcnQ=', 'secret-key-0001'];
    const error = errorOf(() =>
      loadConfig(['gateway', 'stitcher'], {
        PORTRAIT_FARM_REDIS_URL: 'redis://admin:hunter2-redis@redis:bad-port',
        PORTRAIT_FARM_STORAGE_URL: 's3://AKIAEXAMPLE:s3-secret-value@[bucket',
        PORTRAIT_FARM_PRESIGN_SECRET: 'presign-short',
        PORTRAIT_FARM_WEBHOOK_SECRETS: 'acme:whsec_c2hvcnQ=',
        PORTRAIT_FARM_API_KEYS: 'acme:secret-key-0001',
      }),
    );
    expect(error.problems.map((p) => p.variable)).toEqual([
      'PORTRAIT_FARM_REDIS_URL',
      'PORTRAIT_FARM_STORAGE_URL',
      'PORTRAIT_FARM_WEBHOOK_SECRETS',
      'PORTRAIT_FARM_API_KEYS',
      'PORTRAIT_FARM_PRESIGN_SECRET',
    ]);
    for (const secret of secrets) expect(error.message).not.toContain(secret.split(':').at(-1));
    expect(error.message).toContain('Given: "redis://admin:***@redis:bad-port"');
    // A refused entry is masked whole: it may be written the wrong way round (secret:tenant).
    expect(error.message).toContain('Given: "***" (entry 1: Webhook secret must decode to 16-128 bytes. Received: 5 bytes)');
    // Written the wrong way round (tenant:key), as here: the "key" is the tenant, too short, and nothing is shown.
    expect(error.message).toContain('PORTRAIT_FARM_API_KEYS must be a comma list of key:tenant');
    expect(error.message).toContain('Given: "***" (entry 1: the key must be at least 8 characters (it has 4))');
    expect(error.message).toContain('PORTRAIT_FARM_PRESIGN_SECRET must be a secret of at least 16 characters. Given: *** (13 characters).');
    expect(error.message.startsWith('5 problems in the environment:\n  - PORTRAIT_FARM_REDIS_URL')).toBe(true);
  });

  it('refuses unknown PORTRAIT_FARM_* variables and suggests the closest', () => {
    const error = errorOf(() =>
      loadConfig('worker', {
        ...farm,
        PORTRAIT_FARM_RENDER_THREAD: '2',
        portrait_farm_prefix: 'x',
        PORTRAIT_FRAM_LOCK_MS: '5000',
        PORTRAIT_FARM_STORAGE: 'x',
        PORTRAIT_FARM_NONSENSE: 'hunter2',
        OTHER_TOOL_SETTING: '1',
      }),
    );
    expect(error.problems.map((p) => [p.variable, p.suggestion])).toEqual([
      ['PORTRAIT_FARM_RENDER_THREAD', 'PORTRAIT_FARM_RENDER_THREADS'],
      ['portrait_farm_prefix', 'PORTRAIT_FARM_PREFIX'],
      ['PORTRAIT_FRAM_LOCK_MS', 'PORTRAIT_FARM_LOCK_MS'],
      ['PORTRAIT_FARM_STORAGE', 'PORTRAIT_FARM_STORAGE_URL'],
      ['PORTRAIT_FARM_NONSENSE', null],
    ]);
    expect(error.problems[0]?.message).toBe(
      'PORTRAIT_FARM_RENDER_THREAD is not a variable of the farm; did you mean PORTRAIT_FARM_RENDER_THREADS? (docs/configuration.md lists them all).',
    );
    expect(error.problems[4]?.message).toBe('PORTRAIT_FARM_NONSENSE is not a variable of the farm (docs/configuration.md lists them all).');
    expect(error.message).not.toContain('hunter2');
    // Known variables that a role does not read are ignored: compose gives every process the same farm variables.
    expect(loadConfig('gateway', { PORTRAIT_FARM_RENDER_THREADS: 'not checked here' }).port).toBe(8080);
  });

  it('suggests only close names', () => {
    const known = Object.keys(ENVIRONMENT);
    expect(closestName('PORTRAIT_FARM_WEBHOOK_SECRET', known)).toBe('PORTRAIT_FARM_WEBHOOK_SECRETS');
    expect(closestName('PORTRAIT_FARM_STALLED_INTERVAL', known)).toBe('PORTRAIT_FARM_STALLED_INTERVAL_MS');
    expect(closestName('PORTRAIT_FARM_PROVDIERS', known)).toBe('PORTRAIT_FARM_PROVIDERS');
    expect(closestName('PORTRAIT_FARM_XYZ', known)).toBeNull();
  });

  it('reads only what the environment sets when asked to (for layering over a file)', () => {
    expect(readGivenConfig('gateway', { PORTRAIT_FARM_JOBS_PER_MINUTE: '5', PORTRAIT_FARM_PREFIX: '' })).toEqual({ jobsPerMinute: 5 });
  });

  it('works on any schema', () => {
    const schema = {
      DEMO_LIMIT: variable(integer(1, 9), { key: 'limit', readBy: ['worker'], requiredBy: ['worker'], description: 'A limit.' }),
      DEMO_FLAG: variable(flag(), { key: 'on', readBy: ['worker', 'gateway'], default: true, description: 'A flag.' }),
    };
    expect(parseEnvironment(schema, 'worker', { DEMO_LIMIT: '3' })).toEqual({ limit: 3, on: true });
    expect(parseEnvironment(schema, 'gateway', { DEMO_FLAG: '0' })).toEqual({ on: false });
    expect(() => parseEnvironment(schema, 'worker', {})).toThrow('DEMO_LIMIT must be an integer from 1 to 9. Given: nothing (the worker cannot start without it).');
  });
});

describe('checkSetting (a value given in code or a JSON file)', () => {
  it('uses the variable\'s form and default, and names the field and the variable', () => {
    expect(checkSetting('limits.maxAudioSeconds', undefined, 'PORTRAIT_FARM_MAX_AUDIO_SECONDS')).toEqual({ ok: true, value: 600 });
    expect(checkSetting('limits.maxAudioSeconds', 30, 'PORTRAIT_FARM_MAX_AUDIO_SECONDS')).toEqual({ ok: true, value: 30 });
    expect(checkSetting('limits.maxAudioSeconds', 0, 'PORTRAIT_FARM_MAX_AUDIO_SECONDS')).toEqual({
      ok: false,
      message: 'limits.maxAudioSeconds (PORTRAIT_FARM_MAX_AUDIO_SECONDS) must be an integer from 1 to 86400. Given: 0.',
    });
    expect(checkSetting('presignSecret', 'short', 'PORTRAIT_FARM_PRESIGN_SECRET')).toEqual({
      ok: false,
      message: 'presignSecret (PORTRAIT_FARM_PRESIGN_SECRET) must be a secret of at least 16 characters. Given: *** (5 characters).',
    });
    expect(checkSetting('presignSecret', undefined, 'PORTRAIT_FARM_PRESIGN_SECRET')).toEqual({ ok: true, value: null });
  });
});
