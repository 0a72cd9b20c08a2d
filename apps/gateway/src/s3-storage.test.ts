import { jobStorageKeys } from '@portrait-farm/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The storage package does not export its test helpers; its s3rver child-process helper is reused by path.
import { startS3rver } from '@portrait-farm/test-support/s3rver';
import type { S3rverProcess } from '@portrait-farm/test-support/s3rver';
import { wavTone } from './testing/media-fixtures.ts';
import { auth, GatewayHarness, jobForm } from './testing/gateway-harness.ts';

let harness: GatewayHarness;
let s3: S3rverProcess;

beforeAll(async () => {
  [harness, s3] = await Promise.all([GatewayHarness.start(), startS3rver(['farm'])]);
});

afterAll(async () => {
  await harness.close();
  await s3.stop();
});

describe('gateway on S3 storage (s3rver)', () => {
  it('stores inputs in the bucket, reports ready, and redirects the result to a presigned S3 URL', async () => {
    const gateway = await harness.gateway({
      storageUrl: `s3://S3RVER:S3RVER@farm/tenant-data?endpoint=${encodeURIComponent(s3.endpoint)}&region=us-east-1`,
    });
    expect((await gateway.app.inject({ method: 'GET', url: '/readyz' })).json()).toMatchObject({ status: 'ready' });
    const form = await jobForm({ audio: wavTone(0.5) });
    const created = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(undefined, form.headers), payload: form.payload });
    expect(created.statusCode).toBe(202);
    const id = created.json<{ id: string }>().id;
    const { jobs, storage } = gateway.context;
    expect(storage.driver).toBe('s3');
    const record = (await jobs.getById(id))!;
    expect(await storage.get(record.inputs.audio.key)).toEqual(wavTone(0.5));

    await jobs.transition(id, 'stitching');
    await storage.put(jobStorageKeys.output(id), Buffer.from('final-video-bytes'), { contentType: 'video/mp4' });
    await jobs.succeed(id, { key: jobStorageKeys.output(id), size: 17, durationSeconds: 0.5, sha256: '0'.repeat(64) });
    const result = await gateway.app.inject({ method: 'GET', url: `/v1/jobs/${id}/result`, headers: auth() });
    expect(result.statusCode).toBe(302);
    const location = result.headers['location']!;
    expect(location.startsWith(`${s3.endpoint}/farm/tenant-data/jobs/${id}/output.mp4?`)).toBe(true);
    const download = await fetch(location);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).toString()).toBe('final-video-bytes');
  });
});
