import { jobStorageKeys } from '@portrait-farm/jobs';
import type { JobPlan } from '@portrait-farm/jobs';
import { QUEUE_NAMES, readQueueCounts } from '@portrait-farm/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from './build-gateway.ts';
import { auth, GatewayHarness, jobForm } from './testing/gateway-harness.ts';

let harness: GatewayHarness;

beforeAll(async () => {
  harness = await GatewayHarness.start();
});

afterAll(async () => {
  await harness.close();
});

async function createJob(gateway: Gateway, webhook?: object): Promise<string> {
  const form = await jobForm(webhook === undefined ? {} : { webhook });
  const response = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(undefined, form.headers), payload: form.payload });
  expect(response.statusCode).toBe(202);
  return response.json<{ id: string }>().id;
}

const PLAN: JobPlan = {
  fps: 25,
  frameCount: 120,
  durationSeconds: 4.8,
  segments: [
    { index: 0, firstWindow: 0, windowCount: 1, frameStart: 0, frameEnd: 20 },
    { index: 1, firstWindow: 1, windowCount: 2, frameStart: 20, frameEnd: 70 },
    { index: 2, firstWindow: 3, windowCount: 2, frameStart: 70, frameEnd: 120 },
  ],
};

describe('job lifecycle over HTTP', () => {
  it('serves a live playlist of the consecutive chunks present, ending once complete', async () => {
    const gateway = await harness.gateway();
    const { jobs, storage } = gateway.context;
    const id = await createJob(gateway);
    const live = () => gateway.app.inject({ method: 'GET', url: `/v1/jobs/${id}/live.m3u8`, headers: auth() });

    const empty = await live();
    expect(empty.headers['content-type']).toBe('application/vnd.apple.mpegurl');
    expect(empty.body).not.toContain('#EXTINF');
    expect(empty.body).not.toContain('#EXT-X-ENDLIST');

    await jobs.transition(id, 'preparing');
    await jobs.setPlan(id, PLAN);
    await jobs.transition(id, 'rendering');
    await storage.put(jobStorageKeys.chunk(id, 0), Buffer.from('chunk0'));
    await storage.put(jobStorageKeys.chunk(id, 2), Buffer.from('chunk2')); // segment 1 not done yet: a hole
    const partial = (await live()).body;
    expect(partial.match(/#EXTINF/g)).toHaveLength(1);
    expect(partial).toContain('#EXTINF:0.800,');
    // The longest chunk of the plan, present or not: a playlist's target duration never changes.
    expect(partial).toContain('#EXT-X-TARGETDURATION:2');
    expect(partial).not.toContain('#EXT-X-ENDLIST');

    await storage.put(jobStorageKeys.chunk(id, 1), Buffer.from('chunk1'));
    const complete = (await live()).body;
    expect(complete.match(/#EXTINF:[\d.]+,/g)).toEqual(['#EXTINF:0.800,', '#EXTINF:2.000,', '#EXTINF:2.000,']);
    expect(complete).toContain('#EXT-X-TARGETDURATION:2');
    expect(complete.trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);

    // The chunk URIs are presigned file URLs the gateway itself serves.
    const uri = complete.split('\n').find((line) => line.includes('/v1/files/jobs/'))!;
    const path = uri.replace('http://gateway.test', '');
    const file = await gateway.app.inject({ method: 'GET', url: path });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('video/mp2t');
    expect(file.body).toBe('chunk0');
    const tampered = await gateway.app.inject({ method: 'GET', url: path.replace(/sig=.../, 'sig=xyz') });
    expect(tampered.statusCode).toBe(403);
    expect(tampered.json()).toMatchObject({ error: { code: 'GATEWAY_BAD_SIGNATURE' } });
  });

  // Regression (issue 16, item 6): a player still reading when the job succeeded was cut short (the playlist emptied).
  it('keeps a succeeded job\'s playlist ended and listing its chunks while the stitcher keeps them', async () => {
    const gateway = await harness.gateway();
    const { jobs, storage } = gateway.context;
    const id = await createJob(gateway);
    await jobs.transition(id, 'preparing');
    await jobs.setPlan(id, PLAN);
    await jobs.transition(id, 'rendering');
    for (const segment of PLAN.segments) await storage.put(jobStorageKeys.chunk(id, segment.index), Buffer.from(`chunk${segment.index}`));
    await jobs.transition(id, 'stitching');
    await storage.put(jobStorageKeys.output(id), Buffer.from('final-mp4'));
    await jobs.succeed(id, { key: jobStorageKeys.output(id), size: 9, durationSeconds: 4.8, sha256: 'ab'.repeat(32) });
    const playlist = (await gateway.app.inject({ method: 'GET', url: `/v1/jobs/${id}/live.m3u8`, headers: auth() })).body;
    expect(playlist.match(/#EXTINF:[\d.]+,/g)).toEqual(['#EXTINF:0.800,', '#EXTINF:2.000,', '#EXTINF:2.000,']);
    expect(playlist).toContain('#EXT-X-TARGETDURATION:2');
    expect(playlist.trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);
  });

  it('reports progress, timings and a presigned output, and redirects /result once succeeded', async () => {
    const gateway = await harness.gateway();
    const { jobs, storage } = gateway.context;
    const id = await createJob(gateway);
    const notReady = await gateway.app.inject({ method: 'GET', url: `/v1/jobs/${id}/result`, headers: auth() });
    expect(notReady.statusCode).toBe(409);
    expect(notReady.json()).toMatchObject({ error: { code: 'GATEWAY_RESULT_NOT_READY' } });

    await jobs.transition(id, 'preparing');
    await jobs.setPlan(id, PLAN);
    await jobs.transition(id, 'rendering');
    for (const segment of PLAN.segments) await jobs.reportSegment(id, segment.index, segment.frameEnd - segment.frameStart, true);
    await jobs.transition(id, 'stitching');
    await storage.put(jobStorageKeys.output(id), Buffer.from('final-mp4'));
    await jobs.succeed(id, { key: jobStorageKeys.output(id), size: 9, durationSeconds: 4.8, sha256: 'ab'.repeat(32) });

    const view = (await gateway.app.inject({ method: 'GET', url: `/v1/jobs/${id}`, headers: auth() })).json<{
      status: string;
      progress: object;
      timings: Record<string, unknown>;
      output: { url: string; size: number };
    }>();
    expect(view.status).toBe('succeeded');
    expect(view.progress).toEqual({ segmentsDone: 3, segmentsTotal: 3, framesDone: 120, framesTotal: 120 });
    expect(view.timings['totalSeconds']).toBeGreaterThanOrEqual(0);
    expect(view.timings['renderingSeconds']).toBeGreaterThanOrEqual(0);
    expect(view.output.size).toBe(9);
    expect(JSON.stringify(view)).not.toContain('"key"');

    const result = await gateway.app.inject({ method: 'GET', url: `/v1/jobs/${id}/result`, headers: auth() });
    expect(result.statusCode).toBe(302);
    const download = await gateway.app.inject({ method: 'GET', url: result.headers['location']!.replace('http://gateway.test', '') });
    expect(download.body).toBe('final-mp4');
    expect(download.headers['content-type']).toBe('video/mp4');
  });

  it('cancels: flag and status set, chunks deleted, job.canceled webhook queued; idempotent; 409 once finished', async () => {
    const gateway = await harness.gateway();
    const { jobs, storage, queues } = gateway.context;
    const id = await createJob(gateway, { url: 'https://hooks.example.com/farm', events: ['job.canceled'] });
    await jobs.transition(id, 'preparing');
    await jobs.setPlan(id, PLAN);
    await jobs.transition(id, 'rendering');
    await storage.put(jobStorageKeys.chunk(id, 0), Buffer.from('chunk0'));

    const cancel = () => gateway.app.inject({ method: 'POST', url: `/v1/jobs/${id}/cancel`, headers: auth() });
    const first = await cancel();
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ id, status: 'canceled' });
    expect(await jobs.isCancelRequested(id)).toBe(true);
    expect(await storage.list(jobStorageKeys.chunkPrefix(id))).toEqual([]);
    expect((await cancel()).json()).toMatchObject({ status: 'canceled' });
    // Counted once, though canceled twice.
    expect(await gateway.context.metrics.registry.getSingleMetricAsString('portrait_farm_jobs_finished_total')).toContain('portrait_farm_jobs_finished_total{status="canceled"} 1');
    expect((await readQueueCounts(queues, 'prepare')).waiting).toBe(0); // the waiting prepare step was discarded
    const webhooks = await queues.queue(QUEUE_NAMES.webhook).getJobs(['wait', 'prioritized', 'active', 'delayed', 'completed']);
    expect(webhooks.map((job) => [job.data.event, job.data.attempt])).toEqual([['job.canceled', 1]]);
    // A worker that comes late cannot bring the job back.
    expect((await jobs.transition(id, 'stitching')).applied).toBe(false);
    const live = await gateway.app.inject({ method: 'GET', url: `/v1/jobs/${id}/live.m3u8`, headers: auth() });
    expect(live.body).toContain('#EXT-X-ENDLIST');

    const other = await createJob(gateway);
    await jobs.fail(other, { code: 'ENGINE_NO_FACE', message: 'No face found.' });
    const finished = await gateway.app.inject({ method: 'POST', url: `/v1/jobs/${other}/cancel`, headers: auth() });
    expect(finished.statusCode).toBe(409);
    expect(finished.json()).toMatchObject({ error: { code: 'GATEWAY_JOB_FINISHED' } });
    const view = await gateway.app.inject({ method: 'GET', url: `/v1/jobs/${other}`, headers: auth() });
    expect(view.json()).toMatchObject({ status: 'failed', error: { code: 'ENGINE_NO_FACE', message: 'No face found.' } });
  });
});
