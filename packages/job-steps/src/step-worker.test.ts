import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createJobId, JobStore, watchCancellations } from '@portrait-farm/jobs';
import { recordingLogger } from '@portrait-farm/logging/testing';
import type { JobRecord } from '@portrait-farm/jobs';
import { MediaError } from '@portrait-farm/media';
import { createFarmMetrics } from '@portrait-farm/metrics';
import { createRedisConnection, FarmQueues, QUEUE_NAMES } from '@portrait-farm/queue';
import type { AudioJob, SupervisedWorker } from '@portrait-farm/queue';
import { createStorage, StorageError } from '@portrait-farm/storage';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRedisServer, uniquePrefix } from '@portrait-farm/test-support/redis-server';
import type { RedisServerProcess } from '@portrait-farm/test-support/redis-server';
import type { FarmDeps } from './farm-deps.ts';
import type { StepOutcome } from './step-support.ts';
import { stepWorker } from './step-worker.ts';
import { testJob } from '@portrait-farm/jobs/testing';

// A step fails with a code from another package's catalogue; the real queue decides whether it runs again.
// Two attempts per step, 2 s backoff between them (FarmQueues' exponential backoff). The job record fails only
// after a step's final attempt, and failing it discards the step from the queue: the step's calls count attempts.

let server: RedisServerProcess;
let dir: string;
let connections: Redis[];
let deps: FarmDeps;
let logger: ReturnType<typeof recordingLogger>;
let worker: SupervisedWorker<AudioJob, StepOutcome> | null;
let prefix: string;

const connect = (): Redis => {
  const redis = createRedisConnection(server.url, { role: 'worker' });
  connections.push(redis);
  return redis;
};

beforeAll(async () => {
  server = await startRedisServer();
  dir = await mkdtemp(join(tmpdir(), 'pf-step-worker-'));
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  connections = [];
  worker = null;
  prefix = uniquePrefix();
  const jobs = new JobStore({ redis: connect(), prefix });
  logger = recordingLogger();
  deps = {
    jobs,
    queues: new FarmQueues({ connection: connect(), prefix, attempts: 2 }),
    cancels: await watchCancellations({ subscriber: connect(), store: jobs }),
    storage: createStorage(join(dir, prefix)),
    tempDir: dir,
    logger,
  };
});

afterEach(async () => {
  await worker?.close();
  await deps.cancels.close();
  await deps.queues.close();
  await deps.storage.close();
  for (const redis of connections) redis.disconnect();
});

/** A queued job and its audio step, run by a step worker whose step is `run`. */
async function runAudioStep(run: (calls: number) => Promise<StepOutcome>): Promise<{ jobId: string; calls: () => number }> {
  const jobId = createJobId();
  await deps.jobs.create(testJob({ id: jobId, requestHash: 'h' }));
  let calls = 0;
  worker = stepWorker<AudioJob>(QUEUE_NAMES.audio, { deps, connection: connect(), prefix, concurrency: 1, lockMs: 30_000, stalledIntervalMs: 30_000 }, () => {
    calls += 1;
    return run(calls);
  });
  await deps.queues.enqueueAudio({ jobId });
  return { jobId, calls: () => calls };
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const finalRecord = (jobId: string): Promise<JobRecord | null> => until(() => deps.jobs.getById(jobId), (record) => record?.status === 'failed');

async function completedStep(jobId: string): Promise<{ state: string; attemptsMade: number }> {
  const read = async () => {
    const job = await deps.queues.queue(QUEUE_NAMES.audio).getJob(`${jobId}-audio`);
    return { state: job === undefined ? 'missing' : await job.getState(), attemptsMade: job?.attemptsMade ?? 0 };
  };
  return until(read, (step) => step.state === 'completed');
}

describe('stepWorker retries by the error catalogues', () => {
  it('fails the job at once, without a retry, when the code is not retryable', async () => {
    const started = Date.now();
    const { jobId, calls } = await runAudioStep(() => Promise.reject(new MediaError('MEDIA_NO_AUDIO', 'voice.wav has no audio stream.')));
    const record = await finalRecord(jobId);
    expect(record?.status).toBe('failed');
    expect(record?.error).toMatchObject({ code: 'MEDIA_NO_AUDIO', message: 'The audio step failed: voice.wav has no audio stream.' });
    expect(calls()).toBe(1);
    expect(Date.now() - started).toBeLessThan(2000);
    // The job event a person follows: the job, its tenant and the code and message recorded on it; no retry.
    const [failed] = await until(async () => logger.events('job.failed'), (events) => events.length > 0);
    expect(failed).toEqual({
      event: 'job.failed',
      jobId,
      tenant: 'tenant-a',
      code: 'MEDIA_NO_AUDIO',
      err: { code: 'MEDIA_NO_AUDIO', message: 'The audio step failed: voice.wav has no audio stream.' },
    });
    expect(logger.events('step.retried')).toEqual([]);
    expect(logger.entries.find((e) => e.msg === 'audio step failed; no retry')?.fields).toMatchObject({ jobId, tenant: 'tenant-a', queue: 'audio', attempt: 1 });
  });

  it('retries a step whose code is retryable, and the job goes on', async () => {
    const { jobId, calls } = await runAudioStep(async (call) => {
      if (call === 1) throw new StorageError('STORAGE_UNAVAILABLE', 'The bucket did not answer.');
      return 'done';
    });
    expect(await completedStep(jobId)).toEqual({ state: 'completed', attemptsMade: 2 });
    expect(calls()).toBe(2);
    expect((await deps.jobs.getById(jobId))?.status).toBe('queued');
    // Logged with the fields: the retry as a job event (the error under err), then the step's second attempt done.
    const [retried] = logger.events('step.retried');
    expect(retried).toMatchObject({ event: 'step.retried', jobId, tenant: 'tenant-a', queue: 'audio', attempt: 1, attempts: 2 });
    expect(retried?.['err']).toBeInstanceOf(StorageError);
    const done = logger.entries.find((e) => e.msg === 'audio step done');
    expect(done?.level).toBe('info');
    expect(done?.fields).toMatchObject({ jobId, tenant: 'tenant-a', queue: 'audio', attempt: 2, outcome: 'done' });
    expect(done?.fields['durationMs']).toEqual(expect.any(Number));
    expect(logger.events('job.failed')).toEqual([]);
  });

  it('retries an error no catalogue describes, then fails the job with FARM_STEP_FAILED after the last attempt', async () => {
    const { jobId, calls } = await runAudioStep(() => Promise.reject(new TypeError('Cannot read properties of undefined')));
    const record = await finalRecord(jobId);
    expect(record?.error).toMatchObject({ code: 'FARM_STEP_FAILED', message: 'The audio step failed: Cannot read properties of undefined' });
    expect(calls()).toBe(2);
  });
});

describe('stepWorker metrics', () => {
  it('counts the step (slots, duration by outcome, error code, none left in progress) and the job it failed', async () => {
    const metrics = createFarmMetrics('stitcher');
    deps = { ...deps, metrics };
    const { jobId } = await runAudioStep(() => Promise.reject(new MediaError('MEDIA_NO_AUDIO', 'voice.wav has no audio stream.')));
    await finalRecord(jobId);
    const text = await until(() => metrics.registry.metrics(), (t) => t.includes('portrait_farm_jobs_finished_total{status="failed"} 1'));
    expect(text).toContain('portrait_farm_jobs_finished_total{status="failed"} 1');
    expect(text).toContain('portrait_farm_step_slots{queue="audio"} 1');
    expect(text).toContain('portrait_farm_step_duration_seconds_count{queue="audio",outcome="failed"} 1');
    expect(text).toContain('portrait_farm_step_errors_total{queue="audio",code="MEDIA_NO_AUDIO"} 1');
    expect(text).toContain('portrait_farm_steps_in_progress{queue="audio"} 0');
    expect(text).not.toContain(jobId);
  });
});
