import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalFarm } from 'portrait-farm/local-farm';
import { uniquePrefix } from '@portrait-farm/test-support/redis-server';
import { startRedisSentinelGroup } from '@portrait-farm/test-support/redis-sentinel-group';
import type { RedisSentinelGroup } from '@portrait-farm/test-support/redis-sentinel-group';
import { FIXTURES, loopedSpeech, submitJob, until } from './farm-harness.ts';
import { expectStoredOutput, farmWorkDir, readJob, startRedisFarm, stopRedisFarm } from './redis-farm.ts';
import type { FarmJob } from './redis-farm.ts';

// Issue 19, item 1: the gateway, a worker and the stitcher as real processes on Redis Sentinel (a primary, a replica,
// 3 sentinels). The primary is SIGKILLed while a job renders; the job must still end, succeeded or failed with a clear
// error, within a bounded time: never stuck. If it does not end, the farm's logs are printed. (Two CI runs saw the job
// never end: ioredis's own failover detector had ended some of the farm's connections for good; see
// packages/queue/src/sentinel-failover-watch.ts.)
const work = farmWorkDir('sentinel');
let group: RedisSentinelGroup;
let farm: LocalFarm;
let storageUrl: string;

beforeAll(async () => {
  group = await startRedisSentinelGroup({ masterName: 'pf-e2e' });
  ({ farm, storageUrl } = await startRedisFarm(work, {
    redisUrl: group.url,
    prefix: uniquePrefix('sentinel'),
    env: { PORTRAIT_FARM_REDIS_SENTINELS: group.sentinels.join(','), PORTRAIT_FARM_REDIS_SENTINEL_MASTER: group.masterName },
  }));
}, 180_000);

afterAll(() => stopRedisFarm(work, farm, () => group?.close()), 60_000);

/** The last of the farm's log lines about the job (and error lines), cut short, for a job that did not end: CI keeps only the end of the output. */
function printFarmLogs(id: string): void {
  for (const name of readdirSync(farm.logDir)) {
    const lines = readFileSync(join(farm.logDir, name), 'utf8').split('\n').filter((line) => line.includes(id) || /"level":(50|60)/.test(line));
    process.stdout.write(`--- ${name}: ${lines.length} lines about ${id} or errors\n${lines.slice(-12).map((line) => line.slice(0, 360)).join('\n')}\n`);
  }
}

describe('farm on Redis Sentinel', () => {
  it('a job whose Redis primary is SIGKILLed mid-render still ends, after the sentinels promote the replica', async () => {
    const created = await submitJob(farm.apiUrl, farm.apiKey, { image: join(FIXTURES, 'astronaut.png'), audio: loopedSpeech(work, 4) });
    expect(created.status).toBe(202);
    const id = created.body.id;
    await until('the first segment is rendered', async () => {
      const job = await readJob(farm, id);
      const done = (job?.['progress'] as { segmentsDone?: number } | undefined)?.segmentsDone ?? 0;
      return done >= 1;
    }, 120_000, 100);
    const midJob = await readJob(farm, id);
    expect(midJob?.status).toBe('rendering');
    const progress = midJob?.['progress'] as { segmentsDone: number; segmentsTotal: number };
    expect(progress.segmentsDone).toBeLessThan(progress.segmentsTotal);

    const killedAt = Date.now();
    const killed = await group.killPrimary();
    const promoted = await group.waitForFailover(killed);
    const failoverMs = Date.now() - killedAt;

    let job: FarmJob | null = null;
    try {
      await until('the job ends', async () => {
        job = await readJob(farm, id);
        return job !== null && ['succeeded', 'failed', 'canceled'].includes(job.status);
      }, 180_000, 250);
    } catch (error) {
      printFarmLogs(id);
      throw error;
    }
    const endedMs = Date.now() - killedAt;
    const ended = job as unknown as FarmJob;
    process.stdout.write(`sentinel failover: primary ${killed} -> ${promoted} in ${failoverMs} ms; job ${ended.status} ${endedMs} ms after the kill\n`);
    if (ended.status === 'failed') {
      // A failure must say why: a stable code and a message, not a hang or a bare "Connection is closed".
      expect(ended['error']).toMatchObject({ code: expect.stringMatching(/^[A-Z_]+$/), message: expect.any(String) });
    } else {
      expect(ended.status).toBe('succeeded');
      await expectStoredOutput(storageUrl, ended, id);
    }
    const ready = await fetch(`${farm.apiUrl}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { redis: 'ok', storage: 'ok' } });
  }, 420_000);
});
