import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobStore, JobTimelines } from '@portrait-farm/jobs';
import type { StageNotice } from '@portrait-farm/jobs';
import { testJob } from '@portrait-farm/jobs/testing';
import { recordingLogger } from '@portrait-farm/logging/testing';
import { startRedisServer, uniquePrefix } from '@portrait-farm/test-support/redis-server';
import type { RedisServerProcess } from '@portrait-farm/test-support/redis-server';
import type { FarmDeps } from './farm-deps.ts';
import { timelineRecorder } from './stage-recorder.ts';
import { inStage } from './stage-run.ts';
import { JobStepError } from './errors.ts';

let server: RedisServerProcess;
let redis: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.port, server.host);
});

afterAll(async () => {
  redis.disconnect();
  await server.close();
});

describe('inStage', () => {
  it('records a stage once it starts: done with its frames, failed with the outcome or the error\'s code; nothing when it never starts', async () => {
    const prefix = uniquePrefix();
    const jobs = new JobStore({ redis, prefix });
    const timelines = new JobTimelines({ redis, prefix });
    const notices: StageNotice[] = [];
    const deps = { jobs, logger: recordingLogger(), stages: timelineRecorder(timelines, 'worker-h-9', (notice) => notices.push(notice)) } as unknown as FarmDeps;
    const { record } = await jobs.create(testJob());
    const id = record.id;

    expect(await inStage(deps, id, 'prepare', null, async () => 'skipped')).toBe('skipped');
    expect(await timelines.read(id)).toEqual([]);

    await inStage(deps, id, 'prepare', null, async (run) => {
      await run.start();
      return 'done';
    });
    await inStage(deps, id, 'segment', 0, async (run) => {
      await run.start(3);
      run.frames = 25;
      return 'done';
    });
    await inStage(deps, id, 'segment', 1, async (run) => {
      await run.start(3);
      return 'canceled';
    });
    const failing = inStage(deps, id, 'segment', 2, async (run) => {
      await run.start(3);
      throw new JobStepError('FARM_MISSING_INPUT', 'gone');
    });
    await expect(failing).rejects.toThrow('gone');

    const events = await timelines.read(id);
    expect(events.map((e) => [e.stage, e.index, e.worker, e.status, e.frames, e.error])).toEqual([
      ['prepare', null, 'worker-h-9', 'done', null, null],
      ['segment', 0, 'worker-h-9', 'done', 25, null],
      ['segment', 1, 'worker-h-9', 'failed', null, 'canceled'],
      ['segment', 2, 'worker-h-9', 'failed', null, 'FARM_MISSING_INPUT'],
    ]);
    expect(notices.filter((n) => n.kind === 'started').map((n) => [n.stage, n.index, n.count])).toEqual([
      ['prepare', null, null],
      ['segment', 0, 3],
      ['segment', 1, 3],
      ['segment', 2, 3],
    ]);
  });

  it('records a stage done when the step says so, before it moves the job on; an outcome other than done or an error is recorded over it', async () => {
    const prefix = uniquePrefix();
    const jobs = new JobStore({ redis, prefix });
    const timelines = new JobTimelines({ redis, prefix });
    const deps = { jobs, logger: recordingLogger(), stages: timelineRecorder(timelines, 'stitcher-h-3') } as unknown as FarmDeps;
    const { record } = await jobs.create(testJob());
    const id = record.id;
    const seen: Array<[string, string]> = [];
    const statusNow = async (): Promise<void> => {
      const [stitch] = await timelines.read(id);
      seen.push([stitch!.status, (await jobs.getById(id))!.status]);
    };

    await inStage(deps, id, 'stitch', null, async (run) => {
      await run.start();
      await run.done();
      await statusNow();
      await jobs.transition(id, 'stitching');
      await jobs.succeed(id, { key: 'k', size: 1, durationSeconds: 1, sha256: 's' });
      await statusNow();
      return 'done';
    });
    await statusNow();
    expect(seen).toEqual([
      ['done', 'queued'],
      ['done', 'succeeded'],
      ['done', 'succeeded'],
    ]);

    const other = (await jobs.create(testJob())).record.id;
    await inStage(deps, other, 'stitch', null, async (run) => {
      await run.start();
      await run.done();
      return 'skipped';
    });
    expect((await timelines.read(other)).map((e) => [e.status, e.error])).toEqual([['failed', 'skipped']]);
    await expect(
      inStage(deps, other, 'stitch', null, async (run) => {
        await run.start();
        await run.done();
        throw new JobStepError('FARM_MISSING_INPUT', 'gone');
      }),
    ).rejects.toThrow('gone');
    expect((await timelines.read(other)).map((e) => [e.status, e.error])).toEqual([['failed', 'FARM_MISSING_INPUT']]);
  });

  it('never fails the step when the timeline cannot be written', async () => {
    const broken = new Redis(server.port, server.host, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
    const logger = recordingLogger();
    const deps = { logger, stages: timelineRecorder(new JobTimelines({ redis: broken, prefix: uniquePrefix() }), 'worker-h-9') } as unknown as FarmDeps;
    const outcome = await inStage(deps, 'job_01m93p62pq1tzrb058q214tbw4', 'stitch', null, async (run) => {
      await run.start();
      return 'done';
    });
    expect(outcome).toBe('done');
    expect(JSON.stringify(logger.entries)).toContain('job timeline not written');
    broken.disconnect();
  });
});
