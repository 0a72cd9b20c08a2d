import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { avatarKeys } from '@portrait-farm/avatars';
import { buildGateway } from '@portrait-farm/gateway';
import type { Gateway } from '@portrait-farm/gateway';
import { createEngine } from '@portrait-farm/engine';
import type { Engine } from '@portrait-farm/engine';
import { loadFarmConfig } from '@portrait-farm/job-steps';
import type { RunningWorkers } from '@portrait-farm/job-steps';
import { startStitcherWorkers } from '@portrait-farm/stitcher';
import { startRenderWorkers } from '@portrait-farm/worker';
import { jobStorageKeys } from '@portrait-farm/jobs';
import { createStorage } from '@portrait-farm/storage';
import type { ObjectStorage } from '@portrait-farm/storage';
import { startS3rver } from '@portrait-farm/test-support/s3rver';
import type { S3rverProcess } from '@portrait-farm/test-support/s3rver';
import { writeEngineTestPack } from '@portrait-farm/test-support/engine-test-pack';
import { startRedisServer, uniquePrefix } from '@portrait-farm/test-support/redis-server';
import type { RedisServerProcess } from '@portrait-farm/test-support/redis-server';
import { documentProblems, farmReferenceSha, FIXTURES, getJob, JOB_OPTIONS, sha256, submitJob, until } from './farm-harness.ts';

// Avatars through the farm (issue 18): a job made from an avatar renders the bytes renderClip renders from the
// avatar's image (as a job made from the image does), the first such job leaves the prepared portrait with the
// avatar and later ones read it, and deleting the avatar while a job made from it runs does not break that job.
const work = mkdtempSync(join(tmpdir(), 'pf-e2e-avatars-'));
const pack = join(work, 'pack');
const image = join(FIXTURES, 'astronaut.png');
const audio = join(FIXTURES, 'speech-3s.wav');
const API_KEY = 'e2e-avatar-key-0001';
const TENANT = 'tenant-avatars';
let redis: RedisServerProcess;
let s3: S3rverProcess;
let engine: Engine;
let gateway: Gateway;
let storage: ObjectStorage;
let apiUrl = '';
const running: RunningWorkers[] = [];

beforeAll(async () => {
  writeEngineTestPack(pack, { defaultSteps: 4 });
  [redis, s3] = await Promise.all([startRedisServer(), startS3rver(['farm'])]);
  const storageUrl = `s3://S3RVER:S3RVER@farm/e2e?endpoint=${encodeURIComponent(s3.endpoint)}&region=us-east-1`;
  const prefix = uniquePrefix('e2e-avatars');
  gateway = await buildGateway({ redisUrl: redis.url, storageUrl, publicBaseUrl: 'http://127.0.0.1:1', apiKeys: { [API_KEY]: TENANT }, prefix });
  apiUrl = await gateway.app.listen({ port: 0, host: '127.0.0.1' });
  const config = loadFarmConfig({
    PORTRAIT_FARM_REDIS_URL: redis.url,
    PORTRAIT_FARM_STORAGE_URL: storageUrl,
    PORTRAIT_FARM_PREFIX: prefix,
    PORTRAIT_FARM_PACK: pack,
    PORTRAIT_FARM_TEMP_DIR: work,
    PORTRAIT_FARM_PUBLIC_URL: 'http://127.0.0.1:1',
  });
  engine = await createEngine({ pack, providers: ['cpu'] });
  running.push(await startRenderWorkers(config, { engine }), await startStitcherWorkers(config));
  storage = createStorage(storageUrl);
}, 120_000);

afterAll(async () => {
  for (const r of running) await r.close();
  await storage?.close();
  await gateway?.close();
  await engine?.close();
  await s3?.stop();
  await redis?.close();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

const bearer = { authorization: `Bearer ${API_KEY}` };

async function createAvatar(): Promise<Record<string, unknown> & { id: string }> {
  const form = new FormData();
  form.append('consent', JSON.stringify({ attestation: true }));
  form.append('image', new Blob([await readFile(image)], { type: 'image/png' }), 'astronaut.png');
  const response = await fetch(`${apiUrl}/v1/avatars`, { method: 'POST', body: form, headers: bearer });
  const body = (await response.json()) as Record<string, unknown> & { id: string };
  expect(response.status, JSON.stringify(body)).toBe(201);
  return body;
}

async function submitAvatarJob(avatarId: string): Promise<{ status: number; body: { id: string; error?: { code: string; message: string } } }> {
  const form = new FormData();
  form.append('consent', JSON.stringify({ attestation: true }));
  form.append('options', JSON.stringify(JOB_OPTIONS));
  form.append('avatar', avatarId);
  form.append('audio', new Blob([await readFile(audio)], { type: 'audio/wav' }), 'speech-3s.wav');
  const response = await fetch(`${apiUrl}/v1/jobs`, { method: 'POST', body: form, headers: bearer });
  return { status: response.status, body: (await response.json()) as { id: string } };
}

/** Waits for the job's success; its video's sha256, checked against renderClip of the image with its watermark. */
async function renderedAsTheImage(id: string): Promise<{ job: Record<string, unknown>; sha: string }> {
  await until(`job ${id} succeeded`, async () => (await getJob(apiUrl, API_KEY, id)).status === 'succeeded', 120_000, 200);
  const job = await getJob(apiUrl, API_KEY, id);
  const video = await storage.get(jobStorageKeys.output(id));
  const expected = await farmReferenceSha(video, { image, audio, pack, dir: work }, { id, tenantId: TENANT, createdAt: job['createdAt'] as string });
  expect(sha256(video), `job ${id}`).toBe(expected);
  return { job, sha: expected };
}

const preparedKey = (avatarId: string): string => avatarKeys.prepared(TENANT, avatarId, engine.pack, JOB_OPTIONS.mode);

describe('farm with avatars (S3 storage, in-process steps)', () => {
  it('renders a job made from an avatar to the bytes of the same job made from its image, preparing the face once', async () => {
    const avatar = await createAvatar();
    expect(documentProblems('Avatar', avatar)).toEqual([]);

    const fromImage = await submitJob(apiUrl, API_KEY, { image, audio });
    const first = await submitAvatarJob(avatar.id);
    expect([fromImage.status, first.status]).toEqual([202, 202]);
    await renderedAsTheImage(fromImage.body.id);
    const firstJob = await renderedAsTheImage(first.body.id);
    expect(firstJob.job['input']).toMatchObject({ avatar: avatar.id });
    expect(documentProblems('Job', firstJob.job)).toEqual([]);
    // The first job made from the avatar left the prepared portrait (crop mode, this pack) with it.
    expect(await storage.exists(preparedKey(avatar.id))).toBe(true);

    const second = await submitAvatarJob(avatar.id);
    expect(second.status).toBe(202);
    await renderedAsTheImage(second.body.id);
  }, 300_000);

  it('finishes a job whose avatar is deleted while it runs, and leaves nothing under the deleted avatar', async () => {
    const avatar = await createAvatar();
    const job = await submitAvatarJob(avatar.id);
    expect(job.status).toBe(202);
    const deleted = await fetch(`${apiUrl}/v1/avatars/${avatar.id}`, { method: 'DELETE', headers: bearer });
    expect(deleted.status).toBe(204);
    await renderedAsTheImage(job.body.id);
    expect(await storage.list(avatarKeys.root(TENANT, avatar.id))).toEqual([]);

    const refused = await submitAvatarJob(avatar.id);
    expect(refused.status).toBe(404);
    expect(refused.body.error).toMatchObject({ code: 'GATEWAY_AVATAR_NOT_FOUND', message: expect.stringContaining(avatar.id) });
  }, 300_000);
});
