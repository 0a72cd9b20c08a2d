import { describe, expect, it } from 'vitest';
import { createFarmMetrics } from './farm-metrics.ts';
import { recordExecutionProvider, recordInference } from './inference-metrics.ts';
import { recordJobEnd } from './job-metrics.ts';
import { defineQueueDepthMetric } from './queue-depth-metric.ts';
import { recordSegmentRender } from './segment-metrics.ts';
import { recordSessionEnd } from './session-metrics.ts';
import { timeStep } from './step-metrics.ts';
import { recordStorageError } from './storage-metrics.ts';
import { recordWebhookOutcome } from './webhook-metrics.ts';

const JOB_ID = 'job_01JB3M7Q2X4Y5Z6A7B8C9D0E1F';

describe('createFarmMetrics', () => {
  it('names every family by the conventions: prefix, base units, _total on counters', async () => {
    const metrics = createFarmMetrics('worker');
    for (const family of await metrics.registry.getMetricsAsJSON()) {
      expect(family.name).toMatch(/^portrait_farm_/);
      if (String(family.type) === 'counter') expect(family.name).toMatch(/_total$/);
      if (String(family.type) === 'histogram' && family.name !== 'portrait_farm_segment_frames_per_second') expect(family.name).toMatch(/_(seconds|bytes)$/);
    }
    expect((await metrics.registry.getMetricsAsJSON()).map((f) => f.name)).toContain('portrait_farm_worker_process_start_time_seconds');
  });

  it('times a step: duration by queue and outcome, busy seconds, steps in progress back to 0, error codes', async () => {
    const { steps, registry } = createFarmMetrics('worker');
    let inProgressDuring = -1;
    await timeStep(steps, 'segment', async () => {
      inProgressDuring = (await steps.inProgress.get()).values.find((v) => v.labels['queue'] === 'segment')?.value ?? -1;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return 'done';
    }, () => 'unused');
    const failure = Object.assign(new Error(`storage failed for ${JOB_ID}`), { code: 'STORAGE_IO' });
    await expect(timeStep(steps, 'segment', () => Promise.reject(failure), (e) => (e as { code: string }).code)).rejects.toBe(failure);
    await expect(timeStep(steps, 'stitch', () => Promise.reject(new Error('x')), () => `bad ${JOB_ID}`)).rejects.toThrow('x');
    expect(inProgressDuring).toBe(1);
    const text = await registry.metrics();
    expect(text).toContain('portrait_farm_steps_in_progress{queue="segment"} 0');
    expect(text).toContain('portrait_farm_step_duration_seconds_count{queue="segment",outcome="done"} 1');
    expect(text).toContain('portrait_farm_step_duration_seconds_count{queue="segment",outcome="failed"} 1');
    expect(text).toContain('portrait_farm_step_errors_total{queue="segment",code="STORAGE_IO"} 1');
    expect(text).toContain('portrait_farm_step_errors_total{queue="stitch",code="other"} 1');
    steps.workerReplacements.inc({ queue: 'stitch' });
    expect(await registry.metrics()).toContain('portrait_farm_queue_worker_replacements_total{queue="stitch"} 1');
    const busy = (await steps.busySeconds.get()).values.find((v) => v.labels['queue'] === 'segment')!.value;
    expect(busy).toBeGreaterThanOrEqual(0.015);
    expect(text).not.toContain(JOB_ID);
  });

  it('records a job end: status counted, stage times of a succeeded job observed', async () => {
    const { jobs, registry } = createFarmMetrics('stitcher');
    recordJobEnd(jobs, 'succeeded', { queued: 0.2, preparing: 1.5, rendering: 12, stitching: 2, total: 16 });
    recordJobEnd(jobs, 'failed', null);
    const text = await registry.metrics();
    expect(text).toContain('portrait_farm_jobs_finished_total{status="succeeded"} 1');
    expect(text).toContain('portrait_farm_jobs_finished_total{status="failed"} 1');
    for (const stage of ['queued', 'prepare', 'render', 'stitch', 'end_to_end']) {
      expect(text).toContain(`portrait_farm_job_stage_duration_seconds_count{stage="${stage}"} 1`);
    }
    expect(text).toContain('portrait_farm_job_stage_duration_seconds_sum{stage="render"} 12');
  });

  it('records segments, inference, webhooks and storage errors with bounded label values only', async () => {
    const metrics = createFarmMetrics('worker');
    recordSegmentRender(metrics.segments, 50, 2);
    recordInference(metrics.inference, { model: 'denoiser', provider: 'cpu', seconds: 0.004 });
    recordInference(metrics.inference, { model: `/tmp/${JOB_ID}/x`, provider: 'cpu', seconds: 0.004 });
    recordWebhookOutcome(metrics.webhooks, 'delivered');
    recordWebhookOutcome(metrics.webhooks, JOB_ID);
    recordStorageError(metrics.storage, 'put', 'STORAGE_UNAVAILABLE');
    recordExecutionProvider(metrics.executionProvider, 'cuda');
    recordExecutionProvider(metrics.executionProvider, 'cpu');
    const text = await metrics.registry.metrics();
    expect(text).toContain('portrait_farm_execution_provider_info{provider="cpu"} 1');
    expect(text).not.toContain('provider="cuda"');
    expect(text).toContain('portrait_farm_segment_frames_total 50');
    expect(text).toContain('portrait_farm_segment_frames_per_second_sum 25');
    expect(text).toContain('portrait_farm_segment_render_duration_seconds_sum 2');
    expect(text).toContain('portrait_farm_inference_duration_seconds_count{model="denoiser",provider="cpu"} 1');
    expect(text).toContain('portrait_farm_inference_duration_seconds_count{model="other",provider="cpu"} 1');
    expect(text).toContain('portrait_farm_webhook_deliveries_total{outcome="delivered"} 1');
    expect(text).toContain('portrait_farm_webhook_deliveries_total{outcome="other"} 1');
    expect(text).toContain('portrait_farm_storage_errors_total{operation="put",code="STORAGE_UNAVAILABLE"} 1');
    expect(text).not.toContain(JOB_ID);
  });

  it('counts realtime sessions\' seconds, ends by reason (bounded) and those running', async () => {
    const metrics = createFarmMetrics('worker');
    metrics.sessions.running.inc();
    metrics.sessions.seconds.inc(2.5);
    metrics.sessions.seconds.inc(1.5);
    recordSessionEnd(metrics.sessions, 'idle_timeout');
    recordSessionEnd(metrics.sessions, 'ses_0123456789abcdef01234567');
    const text = await metrics.registry.metrics();
    expect(text).toContain('portrait_farm_session_seconds_total 4');
    expect(text).toContain('portrait_farm_sessions_ended_total{reason="idle_timeout"} 1');
    expect(text).toContain('portrait_farm_sessions_ended_total{reason="other"} 1');
    expect(text).toContain('portrait_farm_sessions_running 1');
    expect(text).not.toContain('ses_');
  });

  it('reads queue depths at scrape time, every state of every queue, and reports nothing when the read fails', async () => {
    const metrics = createFarmMetrics('gateway');
    let fail = false;
    defineQueueDepthMetric(metrics.registry, async () => {
      if (fail) throw new Error('Redis is down');
      return { segment: { waiting: 3, prioritized: 2, delayed: 1, active: 4, failed: 0 } };
    });
    const text = await metrics.registry.metrics();
    for (const [state, value] of Object.entries({ waiting: 3, prioritized: 2, delayed: 1, active: 4, failed: 0 })) {
      expect(text).toContain(`portrait_farm_queue_jobs{queue="segment",state="${state}"} ${value}`);
    }
    fail = true;
    expect(await metrics.registry.metrics()).not.toContain('portrait_farm_queue_jobs{');
  });
});
