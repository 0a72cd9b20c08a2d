import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProcessAlive } from '@portrait-farm/process-supervision';
import { writeEngineTestPack } from '@portrait-farm/test-support/engine-test-pack';
import { startLocalFarm } from 'portrait-farm/local-farm';
import type { LocalFarm } from 'portrait-farm/local-farm';
import { FIXTURES, getJob, loopedSpeech, submitJob, until } from './farm-harness.ts';

// Issue 11, item 3: `portrait-farm up` autoscales its worker processes between a minimum and a maximum from the
// depth signal (GET /v1/queue/depth, render.total). Real processes: several jobs queued make it start workers up to the
// maximum; once idle for the (short) scale-down delay it stops them, each finishing its step, down to the minimum.
const work = mkdtempSync(join(tmpdir(), 'pf-e2e-autoscale-'));
const pack = join(work, 'pack');
const image = join(FIXTURES, 'astronaut.png');
const SCALE_DOWN_AFTER_MS = 3000;
const lines: string[] = [];
/** When each line came (ms since the epoch). */
const lineTimes: number[] = [];
const timeOf = (pattern: RegExp): number => lineTimes[lines.findIndex((line) => pattern.test(line))]!;
let farm: LocalFarm;

beforeAll(async () => {
  writeEngineTestPack(pack, { defaultSteps: 4 });
  mkdirSync(join(work, 'tmp'));
  farm = await startLocalFarm({
    workersMin: 1,
    workersMax: 3,
    scaleDownAfterMs: SCALE_DOWN_AFTER_MS,
    port: 0,
    dataDir: join(work, 'farm'),
    packDir: pack,
    env: {
      PORTRAIT_FARM_TEMP_DIR: join(work, 'tmp'),
      PORTRAIT_FARM_PROVIDERS: 'cpu',
      // One step per worker: every step waiting beyond the running ones calls for a worker of its own.
      PORTRAIT_FARM_SEGMENT_CONCURRENCY: '1',
      // Several workers on one machine: each serves its metrics on a free port.
      PORTRAIT_FARM_METRICS_PORT: '0',
    },
    log: (line) => {
      lines.push(line);
      lineTimes.push(Date.now());
      if (process.env['PF_E2E_VERBOSE'] === '1') process.stdout.write(`${line}\n`);
    },
  });
}, 180_000);

afterAll(async () => {
  await farm?.stop();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('local autoscaling', () => {
  it('gives its gateway an operator key kept in the data folder, which opens the depth endpoint', async () => {
    expect(farm.operatorKeyFile).toBe(join(work, 'farm', 'operator-key'));
    expect(statSync(farm.operatorKeyFile!).mode & 0o777).toBe(0o600);
    expect(farm.dashboardUrl).toBe(`${farm.apiUrl}/dashboard`);
    const key = readFileSync(farm.operatorKeyFile!, 'utf8').trim();
    const depth = await fetch(`${farm.apiUrl}/v1/queue/depth`, { headers: { authorization: `Bearer ${key}` } });
    expect(depth.status).toBe(200);
    expect(await depth.json()).toMatchObject({ render: { waiting: 0, active: 0, total: 0 } });
    expect((await fetch(`${farm.apiUrl}/v1/queue/depth`, { headers: { authorization: `Bearer ${farm.apiKey}` } })).status).toBe(403);
    expect(lines.join('\n')).not.toContain(key);
  });

  it('scales up to the maximum under load, and back down to the minimum once idle, without cutting a step short', async () => {
    expect(farm.workers.map((w) => w.name)).toEqual(['worker-1']);
    const audio = loopedSpeech(work, 2);
    const ids: string[] = [];
    const firstSubmitted = Date.now();
    for (let i = 0; i < 4; i++) {
      const created = await submitJob(farm.apiUrl, farm.apiKey, { image, audio, options: { fps: 25, mode: 'crop', seed: i } });
      expect(created.status).toBe(202);
      ids.push(created.body.id);
    }
    await until('3 workers', async () => farm.workers.length === 3, 30_000, 100);
    const upAfterMs = timeOf(/^workers \d -> 3 /) - firstSubmitted;
    expect(farm.workers.map((w) => w.name)).toEqual(['worker-1', 'worker-2', 'worker-3']);
    expect(lines.some((line) => /^workers (1|2) -> 3 \(\d+ render steps? waiting or running, 1 per worker\)$/.test(line))).toBe(true);
    const scaledUp = farm.workers.slice(1);

    await until('every job finished', async () => (await Promise.all(ids.map((id) => getJob(farm.apiUrl, farm.apiKey, id)))).every((job) => job.status === 'succeeded'), 240_000, 500);
    await until('back to 1 worker', async () => farm.workers.length === 1, SCALE_DOWN_AFTER_MS + 10_000, 100);
    const downAfterMs = timeOf(/^workers 3 -> 1 /) - firstSubmitted;
    expect(farm.workers.map((w) => w.name)).toEqual(['worker-1']);
    expect(lines).toContain(`workers 3 -> 1 (fewer were enough for ${SCALE_DOWN_AFTER_MS / 1000} s; stopped workers finish their step)`);
    // The stopped workers exit by themselves (SIGTERM: the current step finishes, then the process ends); none of their
    // steps was retried and none of them counts as crashed.
    await until('the stopped workers exited', async () => scaledUp.every((w) => w.pid === null || !isProcessAlive(w.pid)), 20_000, 100);
    expect(scaledUp.every((w) => w.restarts === 0)).toBe(true);
    expect(lines.filter((line) => /retrying|restart/i.test(line))).toEqual([]);
    expect(existsSync(join(work, 'farm', 'logs', 'worker-3.log'))).toBe(true);
    process.stdout.write(`autoscale: 1 -> 3 workers ${upAfterMs} ms and 3 -> 1 ${downAfterMs} ms after the first of 4 jobs was sent (scale-down delay ${SCALE_DOWN_AFTER_MS} ms)\n`);
  }, 300_000);
});
