import { describe, expect, it } from 'vitest';
import { loadFarmConfig } from './farm-config.ts';
import { jobRenderOptions } from './job-render-options.ts';

const base = { PORTRAIT_FARM_STORAGE_URL: '/tmp/pf-storage' };

describe('loadFarmConfig', () => {
  it('fills the defaults', () => {
    const config = loadFarmConfig(base);
    expect(config).toMatchObject({ redisUrl: 'redis://127.0.0.1:6379', prefix: 'pf', renderThreads: 1, segmentConcurrency: 2, lockMs: 30_000, webhookRetryMs: null });
    expect(config.packDir.endsWith('models/starter')).toBe(true);
  });

  it('names the variable, the range and the value of a bad setting', () => {
    expect(() => loadFarmConfig({})).toThrow(/PORTRAIT_FARM_STORAGE_URL is required/);
    expect(() => loadFarmConfig({ ...base, PORTRAIT_FARM_LOCK_MS: '50' })).toThrow('PORTRAIT_FARM_LOCK_MS must be an integer between 1000 and 3600000. Received: 50');
    expect(() => loadFarmConfig({ ...base, PORTRAIT_FARM_REDIS_URL: 'http://x' })).toThrow(/must start with redis:\/\//);
    expect(() => loadFarmConfig({ ...base, PORTRAIT_FARM_PREFIX: 'a:b' })).toThrow(/PORTRAIT_FARM_PREFIX/);
    expect(() => loadFarmConfig({ ...base, PORTRAIT_FARM_WEBHOOK_SECRETS: 'tenant-a:nope' })).toThrow(/WEBHOOK_SECRETS of tenant tenant-a/);
    expect(() => loadFarmConfig({ ...base, PORTRAIT_FARM_WEBHOOK_ALLOW_LOOPBACK: 'yes' })).toThrow(/must be 1, 0, true or false/);
  });

  it('reads webhook secrets and a retry schedule', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const config = loadFarmConfig({ ...base, PORTRAIT_FARM_WEBHOOK_SECRETS: `a:${secret}`, PORTRAIT_FARM_WEBHOOK_RETRY_MS: '40, 80' });
    expect(config.webhookSecrets).toEqual({ a: secret });
    expect(config.webhookRetryMs).toEqual([40, 80]);
  });
});

describe('jobRenderOptions', () => {
  it('passes the API options and leaves the ones the client did not set to the engine', () => {
    const paths = { image: 'i.png', audio: 'a.wav', out: 'o.mp4', pack: 'p' };
    expect(jobRenderOptions({ fps: 25, mode: 'full', seed: 3 }, paths)).toEqual({ ...paths, fps: 25, mode: 'full', seed: 3 });
    const all = { fps: 30, mode: 'crop' as const, seed: 1, steps: 8, solver: 'ddim' as const, guidance: 2, controls: { blinkRate: 10 }, faceIndex: 1 };
    expect(jobRenderOptions(all, paths)).toEqual({ ...paths, ...all });
  });
});
