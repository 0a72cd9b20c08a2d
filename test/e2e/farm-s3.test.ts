import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGateway } from '@portrait-farm/gateway';
import type { Gateway } from '@portrait-farm/gateway';
import { createEngine } from '@portrait-farm/engine';
import type { Engine } from '@portrait-farm/engine';
import { loadFarmConfig, workKeys } from '@portrait-farm/job-steps';
import type { RunningWorkers } from '@portrait-farm/job-steps';
import { startStitcherWorkers } from '@portrait-farm/stitcher';
import { startRenderWorkers } from '@portrait-farm/worker';
import { jobStorageKeys } from '@portrait-farm/jobs';
import { createStorage } from '@portrait-farm/storage';
import { startS3rver } from '@portrait-farm/test-support/s3rver';
import type { S3rverProcess } from '@portrait-farm/test-support/s3rver';
import { generateSecret } from '@portrait-farm/webhooks';
import { writeEngineTestPack } from '@portrait-farm/test-support/engine-test-pack';
import { startRedisServer, uniquePrefix } from '@portrait-farm/test-support/redis-server';
import type { RedisServerProcess } from '@portrait-farm/test-support/redis-server';
import { documentProblems, downloadResult, farmReferenceSha, FIXTURES, getJob, sha256, submitJob, until, WebhookReceiver } from './farm-harness.ts';

// The farm's steps in this process (one engine shared by the render Workers) with S3-protocol storage (s3rver), the
// gateway listening on a port: the same bytes as renderClip, and nothing left under work/ or chunks/.
const work = mkdtempSync(join(tmpdir(), 'pf-e2e-s3-'));
const pack = join(work, 'pack');
const image = join(FIXTURES, 'astronaut.png');
const audio = join(FIXTURES, 'speech-3s.wav');
const API_KEY = 'e2e-s3-key-0001';
const secret = generateSecret();
let redis: RedisServerProcess;
let s3: S3rverProcess;
let engine: Engine;
let gateway: Gateway;
let apiUrl = '';
let storageUrl = '';
let receiver: WebhookReceiver;
const running: RunningWorkers[] = [];

beforeAll(async () => {
  writeEngineTestPack(pack, { defaultSteps: 4 });
  [redis, s3] = await Promise.all([startRedisServer(), startS3rver(['farm'])]);
  storageUrl = `s3://S3RVER:S3RVER@farm/e2e?endpoint=${encodeURIComponent(s3.endpoint)}&region=us-east-1`;
  const prefix = uniquePrefix('e2e');
  receiver = await WebhookReceiver.start(() => secret);
  gateway = await buildGateway({
    redisUrl: redis.url,
    storageUrl,
    publicBaseUrl: 'http://127.0.0.1:1',
    apiKeys: { [API_KEY]: 'tenant-s3' },
    prefix,
    inputFetch: { allowHttp: true },
    webhookSecrets: { 'tenant-s3': secret },
    webhooks: { allowHosts: [new URL(receiver.url).host] },
  });
  apiUrl = await gateway.app.listen({ port: 0, host: '127.0.0.1' });
  const config = loadFarmConfig({
    PORTRAIT_FARM_REDIS_URL: redis.url,
    PORTRAIT_FARM_STORAGE_URL: storageUrl,
    PORTRAIT_FARM_PREFIX: prefix,
    PORTRAIT_FARM_PACK: pack,
    PORTRAIT_FARM_WEBHOOK_SECRETS: `tenant-s3:${secret}`,
    PORTRAIT_FARM_WEBHOOK_ALLOW_HOSTS: new URL(receiver.url).host,
    PORTRAIT_FARM_TEMP_DIR: work,
    PORTRAIT_FARM_PUBLIC_URL: 'http://127.0.0.1:1',
    PORTRAIT_FARM_LIVE_GRACE_SECONDS: '0',
  });
  engine = await createEngine({ pack, providers: ['cpu'] });
  running.push(await startRenderWorkers(config, { engine }), await startStitcherWorkers(config));
}, 120_000);

afterAll(async () => {
  for (const r of running) await r.close();
  await gateway?.close();
  await engine?.close();
  await receiver?.close();
  await s3?.stop();
  await redis?.close();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('farm (S3 storage, in-process steps)', () => {
  it('renders through S3 storage to the same bytes as renderClip and cleans up its work files', async () => {
    const created = await submitJob(apiUrl, API_KEY, { image, audio, webhook: receiver.url });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const id = created.body.id;
    const succeeded = await receiver.waitFor(id, 'job.succeeded', 90_000);
    const job = await getJob(apiUrl, API_KEY, id);
    expect(job.status).toBe('succeeded');
    expect(job['progress']).toMatchObject({ segmentsDone: 2, segmentsTotal: 2 });
    // The audio step encoded the sound track while the segments rendered; the stitch copied it.
    expect((job['timings'] as { work: Record<string, number> }).work['track']).toBeGreaterThan(0);
    const storage = createStorage(storageUrl);
    let stored: Uint8Array = new Uint8Array(0);
    try {
      stored = await storage.get(jobStorageKeys.output(id));
      expect(await storage.exists(workKeys.clip(id))).toBe(false);
      expect(await storage.exists(workKeys.audioTrack(id))).toBe(false);
      // The chunks (the live stream) go once the clip's length has passed since success (no grace here).
      expect((await storage.list(jobStorageKeys.chunkPrefix(id))).length).toBe(2);
      await until('the live stream removed', async () => (await storage.list(jobStorageKeys.chunkPrefix(id))).length === 0, 20_000, 100);
    } finally {
      await storage.close();
    }
    // renderClip with the watermark the worker embedded (rendered after the live-stream checks above, which are timed;
    // no signing key here, so the payload is derived from the job as the worker derives it).
    const expectedSha = await farmReferenceSha(stored, { image, audio, pack, dir: work }, { id, tenantId: 'tenant-s3', createdAt: job['createdAt'] as string });
    expect(sha256(stored)).toBe(expectedSha);
    // The result URL of S3 storage is presigned by the S3 driver; the gateway answers 302 to it.
    expect(sha256(await downloadResult(apiUrl, API_KEY, id))).toBe(expectedSha);
    // The stitcher's job.succeeded carries the document's Job, with the S3 driver's presigned download URL.
    expect(documentProblems('Job', succeeded.data)).toEqual([]);
    const download = await fetch((succeeded.data['output'] as { url: string }).url);
    expect(sha256(Buffer.from(await download.arrayBuffer()))).toBe(expectedSha);
  }, 120_000);
});
