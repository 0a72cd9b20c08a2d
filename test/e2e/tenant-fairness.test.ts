import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalFarm } from 'portrait-farm/local-farm';
import type { LocalFarm } from 'portrait-farm/local-farm';
import { writeEngineTestPack } from '@portrait-farm/test-support/engine-test-pack';
import { FIXTURES, getJob, submitJob, until } from './farm-harness.ts';

// Issue 19, item 3, measured with the farm's real processes: tenant A submits a batch far beyond its concurrency,
// then tenant B submits one job. A's jobs beyond its limit wait in A's own hold, so B's job meets at most `limit` of
// A's jobs (and their segments) in the farm's queues, and finishes long before A's batch is half done.
const BATCH = Number(process.env['PF_E2E_FAIRNESS_BATCH'] ?? 16);
const LIMIT = Number(process.env['PF_E2E_FAIRNESS_LIMIT'] ?? 2);
const KEYS = { a: 'key-of-batch-a-001', b: 'key-of-single-b-01' } as const;
const work = mkdtempSync(join(tmpdir(), 'pf-e2e-fairness-'));
const pack = join(work, 'pack');
const image = join(FIXTURES, 'astronaut.png');
const audio = join(FIXTURES, 'speech-3s.wav');
let farm: LocalFarm;

beforeAll(async () => {
  writeEngineTestPack(pack, { defaultSteps: 4 });
  mkdirSync(join(work, 'tmp'));
  farm = await startLocalFarm({
    workers: 1,
    port: 0,
    dataDir: join(work, 'farm'),
    packDir: pack,
    env: {
      PORTRAIT_FARM_API_KEYS: `${KEYS.a}:tenant-a,${KEYS.b}:tenant-b`,
      PORTRAIT_FARM_MAX_CONCURRENT_JOBS: String(LIMIT),
      PORTRAIT_FARM_JOBS_PER_MINUTE: String(BATCH + 10),
      PORTRAIT_FARM_REQUESTS_PER_MINUTE: '100000', // the test polls every job
      PORTRAIT_FARM_TEMP_DIR: join(work, 'tmp'),
      PORTRAIT_FARM_PROVIDERS: 'cpu',
    },
    log: (line) => {
      if (process.env['PF_E2E_VERBOSE'] === '1') process.stdout.write(`${line}\n`);
    },
  });
}, 120_000);

afterAll(async () => {
  await farm?.stop();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

interface JobTimes {
  status: string;
  createdAt: string;
  finishedAt: string | null;
  timings: { queuedSeconds: number | null };
}

const seconds = (from: string, to: string): number => (Date.parse(to) - Date.parse(from)) / 1000;

describe('fair dispatch across tenants', () => {
  it(`a single job of tenant B finishes before tenant A's ${BATCH}-job batch is half done`, async () => {
    const batch: string[] = [];
    for (let i = 0; i < BATCH; i += 1) {
      const created = await submitJob(farm.apiUrl, KEYS.a, { image, audio });
      expect(created.status).toBe(202);
      batch.push(created.body.id);
    }
    const single = await submitJob(farm.apiUrl, KEYS.b, { image, audio });
    expect(single.status).toBe(202);
    expect((single.body as { queuePosition?: number | null }).queuePosition).toBeNull();

    let b = (await getJob(farm.apiUrl, KEYS.b, single.body.id)) as unknown as JobTimes;
    await until('B finished', async () => {
      b = (await getJob(farm.apiUrl, KEYS.b, single.body.id)) as unknown as JobTimes;
      return b.finishedAt !== null;
    }, 240_000, 100);
    expect(b.status).toBe('succeeded');
    const aAtB = (await Promise.all(batch.map((id) => getJob(farm.apiUrl, KEYS.a, id)))) as unknown as JobTimes[];
    const aDoneBeforeB = aAtB.filter((job) => job.finishedAt !== null && Date.parse(job.finishedAt) <= Date.parse(b.finishedAt!)).length;

    // Half of A's batch, to compare B's wait with A's.
    let aJobs = aAtB;
    await until(`half of A's batch finished`, async () => {
      aJobs = (await Promise.all(batch.map((id) => getJob(farm.apiUrl, KEYS.a, id)))) as unknown as JobTimes[];
      return aJobs.filter((job) => job.finishedAt !== null).length >= BATCH / 2;
    }, 480_000, 500);
    const aFinishedAt = aJobs.filter((job) => job.finishedAt !== null).map((job) => Date.parse(job.finishedAt!)).sort((x, y) => x - y);
    const aStarted = aJobs.filter((job) => job.timings.queuedSeconds !== null).map((job) => job.timings.queuedSeconds!).sort((x, y) => x - y);
    const firstA = Date.parse(aJobs[0]!.createdAt);
    const report = {
      batch: BATCH,
      limit: LIMIT,
      bWaitToStartSeconds: b.timings.queuedSeconds,
      bCreateToFinishSeconds: seconds(b.createdAt, b.finishedAt!),
      aJobsFinishedBeforeB: aDoneBeforeB,
      aHalfBatchDoneSecondsAfterItsFirstCreate: (aFinishedAt[Math.ceil(BATCH / 2) - 1]! - firstA) / 1000,
      bFinishSecondsAfterAsFirstCreate: (Date.parse(b.finishedAt!) - firstA) / 1000,
      aMedianWaitToStartSeconds: aStarted[Math.floor(aStarted.length / 2)] ?? null,
      aLongestWaitToStartSoFarSeconds: aStarted[aStarted.length - 1] ?? null,
    };
    console.log(`tenant fairness: ${JSON.stringify(report)}`);
    expect(aDoneBeforeB).toBeLessThan(BATCH / 2);

    for (const id of batch) await fetch(`${farm.apiUrl}/v1/jobs/${id}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${KEYS.a}` } });
  }, 600_000);
});
