import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeEngineTestPack } from '@portrait-farm/test-support/engine-test-pack';
import { getJob, WebhookReceiver } from '../e2e/farm-harness.ts';
import { judge, startChaosFarm, submit } from './chaos-farm.ts';
import type { ChaosFarm } from './chaos-farm.ts';
import { formatTable, rowOf } from './chaos-table.ts';
import type { ChaosRow } from './chaos-table.ts';
import { diskFull, mountSmallDisk } from './disk-full.ts';
import type { SmallDisk } from './disk-full.ts';
import { redisKilledAfterAccept } from './redis-after-accept.ts';
import { measureSegmentWindow, redisRestarted, s3Down, SETTLE_MS, stitcherKilled, workerKilledDenoising, workerKilledEncoding, workerKilledUploading } from './s3-faults.ts';
import type { FaultOutcome, SegmentTimes } from './s3-faults.ts';
import { CHAOS_WEBHOOK_RETRY_MS, webhookReceiverDown } from './webhook-fault.ts';

// npm run test:chaos. A farm of real processes (Redis with its append-only file, gateway, one worker, stitcher; S3
// storage on s3rver behind a watching gate) meets one fault at a time; every job must end succeeded (with the same
// bytes as the fault-free run) or failed with a clear error, none lost, each segment stored once. The webhook
// receiver's minute-long outage runs beside the other faults; the full disk gets a farm of its own (filesystem
// storage on a 32 MB tmpfs).
const work = mkdtempSync(join(tmpdir(), 'pf-chaos-'));
const pack = join(work, 'pack');
const verbose = process.env['PF_CHAOS_VERBOSE'] === '1';
const log = (line: string): void => {
  if (verbose) process.stdout.write(`${line}\n`);
};
const rows: ChaosRow[] = [];
let chaos: ChaosFarm | null = null;
let diskFarm: ChaosFarm | null = null;
let disk: SmallDisk | null = null;
let receiver: WebhookReceiver | null = null;
let times: SegmentTimes = { windowSeconds: 0, motionSeconds: 0 };
let webhookOutage: Promise<FaultOutcome> | null = null;

function record(outcome: FaultOutcome): ChaosRow {
  const row = rowOf(outcome);
  rows.push(row);
  return row;
}

function expectClean(row: ChaosRow): void {
  expect(row.problems).toEqual([]);
  expect(row.lost).toBe(0);
  expect(row.succeeded + row.failedClear).toBe(row.submitted);
  expect(row.identical).toBe(row.succeeded);
}

beforeAll(async () => {
  // Sampling (denoising) long enough to be killed in: 100 steps a window with the tiny test denoiser.
  writeEngineTestPack(pack, { defaultSteps: 100 });
  // The receiver of the webhook outage, named to the farm as the one loopback endpoint webhooks may go to.
  receiver = await WebhookReceiver.start(() => chaos?.farm.webhookSecret ?? '');
  const env = { PORTRAIT_FARM_WEBHOOK_RETRY_MS: CHAOS_WEBHOOK_RETRY_MS, PORTRAIT_FARM_WEBHOOK_ALLOW_HOSTS: new URL(receiver.url).host };
  chaos = await startChaosFarm({ work: join(work, 's3'), pack, storage: 's3', env, log });
}, 120_000);

afterAll(async () => {
  await webhookOutage?.catch(() => null);
  await chaos?.stop();
  await diskFarm?.stop();
  try {
    disk?.unmount();
  } catch {
    // already gone
  }
  await receiver?.down();
  rmSync(work, { recursive: true, force: true });
  process.stdout.write(`\nChaos table (${new Date().toISOString()}):\n${formatTable(rows)}\n`);
}, 120_000);

describe('the farm under faults', () => {
  it('runs a job without faults: the reference video', async () => {
    let id: string | null = null;
    const window = measureSegmentWindow(chaos!, () => id);
    id = await submit(chaos!);
    const verdict = await judge(chaos!, id, SETTLE_MS);
    expect(verdict.status).toBe('succeeded');
    const job = await getJob(chaos!.farm.apiUrl, chaos!.farm.apiKey, id);
    const segments = (job['progress'] as { segmentsTotal: number }).segmentsTotal;
    const work_ = (job['timings'] as { work: Record<string, number> }).work;
    times = { windowSeconds: window() ?? 0, motionSeconds: (work_['motion'] ?? 0) / segments };
    expectClean(record({ fault: 'none (reference)', verdicts: [verdict], problems: [], note: `${segments} segments; sha256 ${verdict.sha!.slice(0, 16)}...` }));
    // The receiver's minute-long outage runs from here, beside the faults below.
    webhookOutage = webhookReceiverDown(chaos!, receiver!);
    webhookOutage.catch(() => {}); // awaited by its own test below
  });

  // One row a fault on the shared farm: its test name and what makes it (in this order: the outage above runs beside).
  const faults: Array<[string, () => Promise<FaultOutcome>]> = [
    ['survives a worker killed (SIGKILL) while denoising', () => workerKilledDenoising(chaos!, times)],
    ['survives a worker killed (SIGKILL) while encoding', () => workerKilledEncoding(chaos!)],
    ['survives a worker killed (SIGKILL) while uploading', () => workerKilledUploading(chaos!)],
    ['survives the stitcher killed (SIGKILL)', () => stitcherKilled(chaos!)],
    ['survives Redis killed and restarted, from its append-only file', () => redisRestarted(chaos!)],
    ['keeps every accepted job when Redis is killed right after the 202', () => redisKilledAfterAccept(chaos!)],
    ['survives the S3 endpoint down for 10 s', () => s3Down(chaos!)],
    ['survives the webhook receiver down for a minute', () => webhookOutage!],
  ];
  for (const [name, fault] of faults) {
    it(name, async () => {
      expectClean(record(await fault()));
    });
  }

  it('survives a full disk under the filesystem driver', async (context) => {
    await chaos?.stop();
    chaos = null;
    disk = mountSmallDisk(join(work, 'disk'), 32);
    if (disk === null) {
      rows.push({ fault: 'disk full (filesystem driver)', submitted: 0, succeeded: 0, failedClear: 0, lost: 0, identical: 0, problems: [], note: 'SKIPPED: cannot mount a tmpfs here (needs root)' });
      context.skip();
      return;
    }
    diskFarm = await startChaosFarm({ work: join(work, 'fs'), pack, storage: { dir: join(disk.dir, 'storage') }, log });
    expectClean(record(await diskFull(diskFarm, disk)));
  });
});
