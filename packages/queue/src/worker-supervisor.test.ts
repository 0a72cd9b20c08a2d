import { setTimeout as sleep } from 'node:timers/promises';
import { createJobId } from '@portrait-farm/jobs';
import { startRedisServer, uniquePrefix } from '@portrait-farm/test-support/redis-server';
import type { RedisServerProcess } from '@portrait-farm/test-support/redis-server';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRedisConnection } from './connection.ts';
import { FarmQueues } from './farm-queues.ts';
import { readyJobCount } from './queue-depth.ts';
import { bullPrefix, QUEUE_NAMES } from './queue-names.ts';
import { superviseWorker } from './worker-supervisor.ts';
import type { JobProcessor, SupervisedWorker, WorkerReplacement } from './worker-supervisor.ts';

let server: RedisServerProcess;
let redis: Redis;
let workerConnection: Redis;
let prefix: string;
let queues: FarmQueues;
const supervised: SupervisedWorker[] = [];

beforeAll(async () => {
  server = await startRedisServer();
  redis = createRedisConnection(server.url);
  workerConnection = createRedisConnection(server.url, { role: 'worker' });
});

afterAll(async () => {
  redis.disconnect();
  workerConnection.disconnect();
  await server.close();
});

beforeEach(() => {
  prefix = uniquePrefix();
  queues = new FarmQueues({ connection: redis, prefix });
});

afterEach(async () => {
  for (const s of supervised.splice(0)) await s.close(true);
  await queues.close();
});

const stitch = (): { jobId: string } => ({ jobId: createJobId() });

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/**
 * A supervised Worker of the stitch queue. `fetches` says, for each Worker started, whether it takes jobs: one that
 * does not is a Worker whose fetching stopped (BullMQ's `autorun: false`, never run), as after a wedged failover.
 */
function supervise(processor: JobProcessor<{ jobId: string }, string>, fetches: boolean[], replaced: WorkerReplacement[] = []): { supervisor: SupervisedWorker<{ jobId: string }, string>; started: Worker[] } {
  const started: Worker[] = [];
  const supervisor = superviseWorker<{ jobId: string }, string>({
    processor,
    start: (tracked) => {
      const worker = new Worker<{ jobId: string }, string>(QUEUE_NAMES.stitch, tracked, {
        connection: workerConnection,
        prefix: bullPrefix(prefix),
        autorun: fetches[started.length] ?? true,
        concurrency: 1,
      });
      worker.on('error', () => {});
      started.push(worker as unknown as Worker);
      return worker;
    },
    readyJobs: () => readyJobCount(queues, QUEUE_NAMES.stitch),
    onReplaced: (replacement) => replaced.push(replacement),
    checkEveryMs: 50,
    stuckAfterMs: 400,
  });
  supervised.push(supervisor as unknown as SupervisedWorker);
  return { supervisor, started };
}

describe('readyJobCount', () => {
  it('counts waiting and prioritised jobs and a due delayed one, and none while the queue is paused', async () => {
    expect(await readyJobCount(queues, QUEUE_NAMES.stitch)).toBe(0);
    await queues.enqueueStitch(stitch(), { priority: 5 });
    await queues.enqueueStitch(stitch());
    expect(await readyJobCount(queues, QUEUE_NAMES.stitch)).toBe(2);
    await queues.enqueueWebhook({ jobId: createJobId(), tenantId: 't', event: 'job.succeeded', attempt: 1, occurredAt: new Date().toISOString(), sequence: 0 }, { delayMs: 60_000 });
    expect(await readyJobCount(queues, QUEUE_NAMES.webhook)).toBe(0);
    expect(await readyJobCount(queues, QUEUE_NAMES.webhook, Date.now() + 61_000)).toBe(1);
    await queues.queue(QUEUE_NAMES.stitch).pause();
    expect(await readyJobCount(queues, QUEUE_NAMES.stitch)).toBe(0);
  });
});

describe('superviseWorker', () => {
  it('replaces a Worker that takes no job while one waits, and the new Worker runs it', async () => {
    const ran: string[] = [];
    const replaced: WorkerReplacement[] = [];
    const { supervisor, started } = supervise(async (job) => {
      ran.push(job.data.jobId);
      return 'done';
    }, [false, true], replaced);
    const job = stitch();
    await queues.enqueueStitch(job);
    await until('the job ran', () => ran.length === 1);
    expect(ran).toEqual([job.jobId]);
    expect(supervisor.replacements).toBe(1);
    expect(started).toHaveLength(2);
    expect(supervisor.worker).toBe(started[1]);
    expect(replaced).toEqual([expect.objectContaining({ readyJobs: 1, replacements: 1 })]);
    expect(replaced[0]!.stuckMs).toBeGreaterThanOrEqual(400);
    await until('the stuck Worker is closed', () => started[0]!.closing !== undefined);
    // The Redis connection the Workers were given is still open for the next one.
    const second = stitch();
    await queues.enqueueStitch(second);
    await until('the second job ran', () => ran.length === 2);
    expect(supervisor.replacements).toBe(1);
  });

  it('keeps a Worker that runs a job while others wait (its slots are taken), and one idle on an empty or paused queue', async () => {
    let release = (): void => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const ran: string[] = [];
    const { supervisor } = supervise(async (job) => {
      ran.push(job.data.jobId);
      if (ran.length === 1) await held;
      return 'done';
    }, [true]);
    await queues.enqueueStitch(stitch());
    await until('the first job runs', () => ran.length === 1);
    await queues.enqueueStitch(stitch());
    await sleep(1000);
    expect(supervisor.replacements).toBe(0);
    release();
    await until('the waiting job ran', () => ran.length === 2);

    await sleep(700);
    await queues.queue(QUEUE_NAMES.stitch).pause();
    await queues.enqueueStitch(stitch());
    await sleep(1000);
    expect(ran).toHaveLength(2);
    expect(supervisor.replacements).toBe(0);
  });

  it('stops checking once closed', async () => {
    const { supervisor, started } = supervise(async () => 'done', [false, true]);
    await supervisor.close(true);
    await queues.enqueueStitch(stitch());
    await sleep(800);
    expect(started).toHaveLength(1);
    expect(supervisor.replacements).toBe(0);
  });
});
