import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeEngineTestPack } from '@portrait-farm/test-support/engine-test-pack';
import { startRedisServer, uniquePrefix } from '@portrait-farm/test-support/redis-server';
import type { RedisServerProcess } from '@portrait-farm/test-support/redis-server';
import { startLocalFarm } from 'portrait-farm/local-farm';
import type { LocalFarm } from 'portrait-farm/local-farm';
import { FIXTURES, getJob, submitJob, until, WebhookReceiver } from './farm-harness.ts';
import { metricsUrlsIn, scrape, valueOf } from './prometheus-scrape.ts';
import type { Sample } from './prometheus-scrape.ts';

// A real render through the farm's processes (gateway, worker, stitcher on a real Redis) moves the metrics each
// process serves on GET /metrics: scraped over HTTP before and after, compared, and no label names the job or tenant.
const work = mkdtempSync(join(tmpdir(), 'pf-e2e-metrics-'));
const pack = join(work, 'pack');
let redis: RedisServerProcess;
let farm: LocalFarm;
let receiver: WebhookReceiver;
let urls: { gateway: string; worker: string; stitcher: string };

beforeAll(async () => {
  writeEngineTestPack(pack, { defaultSteps: 4 });
  redis = await startRedisServer();
  receiver = await WebhookReceiver.start(() => farm.webhookSecret);
  farm = await startLocalFarm({
    workers: 1,
    port: 0,
    redisUrl: redis.url,
    dataDir: join(work, 'farm'),
    storageUrl: join(work, 'storage'),
    packDir: pack,
    prefix: uniquePrefix('e2e-metrics'),
    webhookAllowHosts: [new URL(receiver.url).host],
    env: { PORTRAIT_FARM_TEMP_DIR: work, PORTRAIT_FARM_PROVIDERS: 'cpu' },
  });
  let found: Record<string, string> = {};
  await until('the worker and the stitcher log their metrics URLs', async () => {
    found = metricsUrlsIn(farm.logDir);
    return found['worker-1'] !== undefined && found['stitcher'] !== undefined;
  }, 60_000, 200);
  urls = { gateway: `${farm.apiUrl}/metrics`, worker: found['worker-1']!, stitcher: found['stitcher']! };
}, 180_000);

afterAll(async () => {
  await farm?.stop();
  await receiver?.close();
  await redis?.close();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

async function scrapeAll(): Promise<Record<keyof typeof urls, Sample[]>> {
  const [gateway, worker, stitcher] = await Promise.all([scrape(urls.gateway), scrape(urls.worker), scrape(urls.stitcher)]);
  return { gateway, worker, stitcher };
}

describe('farm metrics (processes)', () => {
  it('serves each process its own port on 127.0.0.1, chosen free', () => {
    expect(urls.worker).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(urls.stitcher).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(urls.worker).not.toBe(urls.stitcher);
    expect(urls.worker).not.toBe(urls.gateway);
  });

  it('moves the counters and histograms of a render, with bounded labels only', async () => {
    const before = await scrapeAll();
    const created = await submitJob(farm.apiUrl, farm.apiKey, { image: join(FIXTURES, 'astronaut.png'), audio: join(FIXTURES, 'speech-3s.wav'), webhook: receiver.url });
    expect(created.status).toBe(202);
    const jobId = created.body.id;
    await receiver.waitFor(jobId, 'job.succeeded', 120_000);
    const job = await getJob(farm.apiUrl, farm.apiKey, jobId);
    const progress = job['progress'] as { segmentsTotal: number; framesTotal: number };
    let after = await scrapeAll();
    // A step is counted when it returns (the last segment's releases its clip after the stitch is queued) and a
    // delivery once the receiver answered and BullMQ completed the attempt: both may come after job.succeeded arrives.
    await until('the worker and the stitcher count the last segment step and every delivery', async () => {
      after = await scrapeAll();
      const delivered = (s: Sample[]): number => valueOf(s, 'portrait_farm_webhook_deliveries_total', { outcome: 'delivered' });
      const deliveredAll = delivered(after.stitcher) - delivered(before.stitcher) >= receiver.events.filter((e) => e.jobId === jobId).length;
      return deliveredAll && valueOf(after.worker, 'portrait_farm_steps_in_progress') === 0 && valueOf(after.stitcher, 'portrait_farm_steps_in_progress') === 0;
    }, 30_000, 200);
    const moved = (process: keyof typeof urls, name: string, labels: Record<string, string> = {}): number =>
      valueOf(after[process], name, labels) - valueOf(before[process], name, labels);

    // Gateway: the request, the job created, queue depths per queue and state.
    expect(moved('gateway', 'portrait_farm_http_request_duration_seconds_count', { method: 'POST', route: '/v1/jobs', status_code: '202' })).toBe(1);
    expect(moved('gateway', 'portrait_farm_jobs_created_total')).toBe(1);
    for (const state of ['waiting', 'prioritized', 'delayed', 'active', 'failed']) {
      expect(after.gateway.some((s) => s.name === 'portrait_farm_queue_jobs' && s.labels['queue'] === 'segment' && s.labels['state'] === state), state).toBe(true);
    }

    // Worker: one prepare, every segment, their frames, render times and frames/s, model runs on the CPU, busy time.
    expect(moved('worker', 'portrait_farm_step_duration_seconds_count', { queue: 'prepare', outcome: 'done' })).toBe(1);
    // The prepare step renders segment 0 itself; the others are segment steps.
    expect(moved('worker', 'portrait_farm_step_duration_seconds_count', { queue: 'segment', outcome: 'done' })).toBe(progress.segmentsTotal - 1);
    expect(moved('worker', 'portrait_farm_segment_frames_total')).toBe(progress.framesTotal);
    expect(moved('worker', 'portrait_farm_segment_render_duration_seconds_count')).toBe(progress.segmentsTotal);
    expect(moved('worker', 'portrait_farm_segment_frames_per_second_count')).toBe(progress.segmentsTotal);
    expect(moved('worker', 'portrait_farm_segment_frames_per_second_sum')).toBeGreaterThan(0);
    expect(moved('worker', 'portrait_farm_step_busy_seconds_total', { queue: 'segment' })).toBeGreaterThan(0);
    expect(valueOf(after.worker, 'portrait_farm_steps_in_progress')).toBe(0);
    expect(valueOf(after.worker, 'portrait_farm_step_slots', { queue: 'segment' })).toBe(2);
    const inference = after.worker.filter((s) => s.name === 'portrait_farm_inference_duration_seconds_count' && s.value > 0);
    expect(inference.length).toBeGreaterThan(0);
    expect(new Set(inference.map((s) => s.labels['provider']))).toEqual(new Set(['cpu']));
    expect(inference.map((s) => s.labels['model'])).toContain('denoiser');
    expect(valueOf(after.worker, 'portrait_farm_execution_provider_info', { provider: 'cpu' })).toBe(1);

    // Stitcher: the audio and stitch steps, the job succeeded with its stage times, webhooks delivered.
    expect(moved('stitcher', 'portrait_farm_step_duration_seconds_count', { queue: 'audio', outcome: 'done' })).toBe(1);
    expect(moved('stitcher', 'portrait_farm_step_duration_seconds_count', { queue: 'stitch', outcome: 'done' })).toBe(1);
    expect(moved('stitcher', 'portrait_farm_jobs_finished_total', { status: 'succeeded' })).toBe(1);
    for (const stage of ['queued', 'prepare', 'render', 'stitch', 'end_to_end']) {
      expect(moved('stitcher', 'portrait_farm_job_stage_duration_seconds_count', { stage }), stage).toBe(1);
    }
    expect(moved('stitcher', 'portrait_farm_job_stage_duration_seconds_sum', { stage: 'end_to_end' })).toBeGreaterThan(0);
    expect(moved('stitcher', 'portrait_farm_webhook_deliveries_total', { outcome: 'delivered' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(after.stitcher, 'portrait_farm_storage_errors_total')).toBe(0);

    // No label anywhere carries the job id or the tenant; every farm label value is a short bounded word.
    for (const [process, samples] of Object.entries(after)) {
      for (const sample of samples) {
        for (const [label, value] of Object.entries(sample.labels)) {
          expect(value, `${process} ${sample.name}{${label}}`).not.toContain(jobId);
          if (label !== 'le' && label !== 'route' && label !== 'version') expect(value, `${process} ${sample.name}{${label}}`).toMatch(/^[\w.+-]{1,64}$/);
        }
        expect(Object.values(sample.labels)).not.toContain(farm.tenant);
      }
    }
  }, 240_000);
});
