import { describe, expect, it } from 'vitest';
import { loadFarmConfig } from './farm-config.ts';
import { jobRenderOptions } from './job-render-options.ts';

const base = { PORTRAIT_FARM_STORAGE_URL: '/tmp/pf-storage' };
const app = { packDir: '/opt/farm/models/starter' };

describe('loadFarmConfig', () => {
  it('fills the defaults of @portrait-farm/config; the pack is the app\'s', () => {
    const config = loadFarmConfig(base, { packDir: '/opt/farm/models/starter' });
    expect(config).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379',
      prefix: 'pf',
      packDir: '/opt/farm/models/starter',
      providers: null,
      warmUp: true,
      prepareConcurrency: 1,
      segmentConcurrency: 2,
      renderer: 'cpu',
      stitchConcurrency: 2,
      lockMs: 30_000,
      stalledIntervalMs: 30_000,
      webhookSecrets: {},
      webhookRetryMs: null,
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(loadFarmConfig({ ...base, PORTRAIT_FARM_PACK: '/packs/mine' }, { packDir: '/opt/farm/models/starter' }).packDir).toBe('/packs/mine');
    expect(() => loadFarmConfig(base)).toThrow('PORTRAIT_FARM_PACK must be a folder path. Given: nothing (and the process names no pack of its own).');
  });

  it("sizes the worker's threads from its cores: PORTRAIT_FARM_WORKER_CORES, else the cores measured", () => {
    const measured = { ...app, cores: () => 4 };
    expect(loadFarmConfig(base, measured).threads).toEqual({ cores: 4, renderThreads: 3, intraOpThreads: 2, renderThreadsFrom: 'cores' });
    expect(loadFarmConfig({ ...base, PORTRAIT_FARM_WORKER_CORES: '1' }, measured).threads).toEqual({ cores: 1, renderThreads: 1, intraOpThreads: 1, renderThreadsFrom: 'cores' });
    expect(loadFarmConfig({ ...base, PORTRAIT_FARM_RENDER_THREADS: '3', PORTRAIT_FARM_SEGMENT_CONCURRENCY: '4' }, measured).threads).toEqual({ cores: 4, renderThreads: 3, intraOpThreads: 1, renderThreadsFrom: 'setting' });
    expect(loadFarmConfig(base, app).threads.cores).toBeGreaterThanOrEqual(1);
  });

  it('reads the render backend: cpu unless PORTRAIT_FARM_RENDERER names onnx-graph', () => {
    expect(loadFarmConfig({ ...base, PORTRAIT_FARM_RENDERER: 'onnx-graph' }, app).renderer).toBe('onnx-graph');
    expect(() => loadFarmConfig({ ...base, PORTRAIT_FARM_RENDERER: 'gpu' }, app)).toThrow(/PORTRAIT_FARM_RENDERER must be .*Given: "gpu"/);
  });

  it('reads Redis Sentinel: the sentinels and the master name together', () => {
    expect(loadFarmConfig(base, app).redisSentinel).toBeNull();
    const sentinel = { PORTRAIT_FARM_REDIS_SENTINELS: 'a:26379, b:26379', PORTRAIT_FARM_REDIS_SENTINEL_MASTER: 'pf', PORTRAIT_FARM_REDIS_SENTINEL_PASSWORD: 'pw' };
    expect(loadFarmConfig({ ...base, ...sentinel }, app).redisSentinel).toEqual({ sentinels: ['a:26379', 'b:26379'], masterName: 'pf', password: 'pw' });
    expect(() => loadFarmConfig({ ...base, PORTRAIT_FARM_REDIS_SENTINEL_MASTER: 'pf' }, app)).toThrow('needs the sentinels that monitor it in PORTRAIT_FARM_REDIS_SENTINELS');
  });

  it('reads Redis Cluster: the start nodes, and the key prefix in a hash tag', () => {
    expect(loadFarmConfig(base, app)).toMatchObject({ redisClusterNodes: null, prefix: 'pf' });
    const config = loadFarmConfig({ ...base, PORTRAIT_FARM_REDIS_CLUSTER_NODES: '10.0.0.1:6379,10.0.0.2:6379', PORTRAIT_FARM_PREFIX: 'farm-a' }, app);
    expect(config).toMatchObject({ redisClusterNodes: ['10.0.0.1:6379', '10.0.0.2:6379'], prefix: '{farm-a}' });
  });

  it('names the variable, the range and the value of a bad setting', () => {
    expect(() => loadFarmConfig({}, app)).toThrow(/^PORTRAIT_FARM_STORAGE_URL must be a folder path or a storage URL .*Given: nothing/);
    expect(() => loadFarmConfig({ ...base, PORTRAIT_FARM_LOCK_MS: '50' }, app)).toThrow('PORTRAIT_FARM_LOCK_MS must be an integer from 1000 to 3600000. Given: "50".');
    expect(() => loadFarmConfig({ ...base, PORTRAIT_FARM_REDIS_URL: 'http://x' }, app)).toThrow(/must be an absolute redis:\/\/ or rediss:\/\/ URL/);
    expect(() => loadFarmConfig({ ...base, PORTRAIT_FARM_PREFIX: 'a:b' }, app)).toThrow(/PORTRAIT_FARM_PREFIX/);
    expect(() => loadFarmConfig({ ...base, PORTRAIT_FARM_WEBHOOK_SECRETS: 'tenant-a:nope' }, app)).toThrow(/PORTRAIT_FARM_WEBHOOK_SECRETS must be .* Given: "\*\*\*"/);
    expect(() => loadFarmConfig({ ...base, PORTRAIT_FARM_WEBHOOK_ALLOW_LOOPBACK: 'yes' }, app)).toThrow(/must be 1, 0, true or false/);
    expect(() => loadFarmConfig({ ...base, PORTRAIT_FARM_RENDER_THREADS: '2', PORTRAIT_FARM_LOCKMS: '3000' }, app)).toThrow(
      'PORTRAIT_FARM_LOCKMS is not a variable of the farm; did you mean PORTRAIT_FARM_LOCK_MS?',
    );
  });

  it('reads webhook secrets (split at the first ":", as the gateway does) and a retry schedule', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const config = loadFarmConfig({ ...base, PORTRAIT_FARM_WEBHOOK_SECRETS: `a:${secret}, a:${secret.replace('M', 'N')}`, PORTRAIT_FARM_WEBHOOK_RETRY_MS: '40, 80' }, app);
    expect(config.webhookSecrets).toEqual({ a: [secret, secret.replace('M', 'N')] });
    expect(config.webhookRetryMs).toEqual([40, 80]);
    expect(loadFarmConfig({ ...base, PORTRAIT_FARM_PROVIDERS: 'cpu' }, app).providers).toEqual(['cpu']);
  });

  it('serves metrics on 0.0.0.0:9464 by default; the port, the address and the switch are settings', () => {
    expect(loadFarmConfig(base, app)).toMatchObject({ metricsServer: true, metricsPort: 9464, metricsHost: '0.0.0.0' });
    const own = loadFarmConfig({ ...base, PORTRAIT_FARM_METRICS: '0', PORTRAIT_FARM_METRICS_PORT: '0', PORTRAIT_FARM_METRICS_HOST: '127.0.0.1' }, app);
    expect(own).toMatchObject({ metricsServer: false, metricsPort: 0, metricsHost: '127.0.0.1' });
    expect(() => loadFarmConfig({ ...base, PORTRAIT_FARM_METRICS_PORT: '70000' }, app)).toThrow('PORTRAIT_FARM_METRICS_PORT must be an integer from 0 to 65535. Given: "70000".');
  });

  it('reads the worker role: both by default; render hosts no session; sessions must host some', () => {
    expect(loadFarmConfig(base, app)).toMatchObject({ workerRole: 'both', sessions: { perWorker: 1, internalUrl: null } });
    expect(loadFarmConfig({ ...base, PORTRAIT_FARM_WORKER_ROLE: 'render', PORTRAIT_FARM_SESSIONS_PER_WORKER: '2' }, app)).toMatchObject({ workerRole: 'render', sessions: { perWorker: 0 } });
    const internal = { PORTRAIT_FARM_WORKER_ROLE: 'sessions', PORTRAIT_FARM_SESSIONS_PER_WORKER: '2', PORTRAIT_FARM_SESSION_INTERNAL_URL: 'ws://10.1.2.3:8790/' };
    expect(loadFarmConfig({ ...base, ...internal }, app)).toMatchObject({ workerRole: 'sessions', sessions: { perWorker: 2, internalUrl: 'ws://10.1.2.3:8790' } });
    expect(() => loadFarmConfig({ ...base, PORTRAIT_FARM_WORKER_ROLE: 'sessions', PORTRAIT_FARM_SESSIONS_PER_WORKER: '0' }, app)).toThrow(
      'PORTRAIT_FARM_SESSIONS_PER_WORKER must be above 0 when PORTRAIT_FARM_WORKER_ROLE is sessions',
    );
    expect(() => loadFarmConfig({ ...base, PORTRAIT_FARM_WORKER_ROLE: 'gpu' }, app)).toThrow('PORTRAIT_FARM_WORKER_ROLE must be one of both, render, sessions. Given: "gpu".');
  });

  it("reads where sessions over WebRTC listen: extra ICE host addresses and a UDP port range", () => {
    expect(loadFarmConfig(base, app).sessions.webrtc).toEqual({ hostAddresses: [], portRange: null });
    const set = { PORTRAIT_FARM_WEBRTC_HOST_ADDRESSES: '203.0.113.7,127.0.0.1', PORTRAIT_FARM_WEBRTC_PORTS: '40000-40099' };
    expect(loadFarmConfig({ ...base, ...set }, app).sessions.webrtc).toEqual({ hostAddresses: ['203.0.113.7', '127.0.0.1'], portRange: [40000, 40099] });
    expect(() => loadFarmConfig({ ...base, PORTRAIT_FARM_WEBRTC_PORTS: '40099-40000' }, app)).toThrow('PORTRAIT_FARM_WEBRTC_PORTS must be first-last, two UDP ports from 1024 to 65535 (e.g. 40000-40099), the first not above the last. Given: "40099-40000".');
    expect(() => loadFarmConfig({ ...base, PORTRAIT_FARM_WEBRTC_PORTS: '40000' }, app)).toThrow('PORTRAIT_FARM_WEBRTC_PORTS must be first-last');
    expect(() => loadFarmConfig({ ...base, PORTRAIT_FARM_WEBRTC_HOST_ADDRESSES: 'example.com' }, app)).toThrow('PORTRAIT_FARM_WEBRTC_HOST_ADDRESSES must be a comma list of IP addresses');
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
