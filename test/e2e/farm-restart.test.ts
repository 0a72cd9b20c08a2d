import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalFarm } from 'portrait-farm/local-farm';
import type { LocalFarm, LocalFarmOptions } from 'portrait-farm/local-farm';
import { writeEngineTestPack } from '@portrait-farm/test-support/engine-test-pack';
import { downloadResult, farmReferenceSha, FIXTURES, getJob, loopedSpeech, submitJob, videoSha256, until } from './farm-harness.ts';

// `portrait-farm up` stopped while it has jobs in flight and started again on the same data folder, or its Redis
// killed and restarted by the farm: the append-only file kept the jobs, so they finish, byte-identical to
// renderClip, and clients keep their API key.
const work = mkdtempSync(join(tmpdir(), 'pf-e2e-restart-'));
const pack = join(work, 'pack');
const dataDir = join(work, 'farm');
const tempDir = join(work, 'tmp');
const image = join(FIXTURES, 'astronaut.png');
let longAudio = '';
const farms: LocalFarm[] = [];

function options(folder = dataDir): LocalFarmOptions {
  return {
    workers: 1,
    port: 0,
    dataDir: folder,
    packDir: pack,
    env: { PORTRAIT_FARM_TEMP_DIR: tempDir, PORTRAIT_FARM_PROVIDERS: 'cpu', PORTRAIT_FARM_LOCK_MS: '3000', PORTRAIT_FARM_STALLED_INTERVAL_MS: '1000' },
    log: (line) => {
      if (process.env['PF_E2E_VERBOSE'] === '1') process.stdout.write(`${line}\n`);
    },
  };
}

beforeAll(() => {
  writeEngineTestPack(pack, { defaultSteps: 4 });
  mkdirSync(tempDir);
  longAudio = loopedSpeech(work, 5);
});

afterAll(async () => {
  for (const farm of farms) await farm.stop();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('local farm restart', () => {
  it('finishes the jobs it had accepted after a stop and a start on the same data folder, with the same key', async () => {
    const first = await startLocalFarm(options());
    farms.push(first);
    await expect(startLocalFarm(options())).rejects.toMatchObject({ code: 'FARM_DATA_DIR_IN_USE' });

    const ids: string[] = [];
    for (const audio of [longAudio, join(FIXTURES, 'speech-3s.wav')]) {
      const created = await submitJob(first.apiUrl, first.apiKey, { image, audio });
      expect(created.status).toBe(202);
      ids.push(created.body.id);
    }
    const firstChunk = join(dataDir, 'storage', 'jobs', ids[0]!, 'chunks', '00000.ts');
    await until('the first chunk of the long job', async () => existsSync(firstChunk), 120_000);
    const before = await getJob(first.apiUrl, first.apiKey, ids[0]!);
    expect(before.status).not.toBe('succeeded');
    await first.stop();
    farms.pop();

    const second = await startLocalFarm(options());
    farms.push(second);
    expect(second.apiKey).toBe(first.apiKey);
    expect(second.webhookSecret).toBe(first.webhookSecret);
    for (const id of ids) {
      await until(`job ${id} succeeding after the restart`, async () => (await getJob(second.apiUrl, second.apiKey, id)).status === 'succeeded', 120_000, 250);
    }
    const output = await downloadResult(second.apiUrl, second.apiKey, ids[0]!);
    expect(videoSha256(output)).toBe(await farmReferenceSha(output, { image, audio: longAudio, pack, dir: work }));
  }, 300_000);

  it('finishes a job whose Redis is killed (SIGKILL) mid-render, from the append-only file', async () => {
    const folder = join(work, 'farm-redis-killed');
    const farm = await startLocalFarm(options(folder));
    farms.push(farm);
    const created = await submitJob(farm.apiUrl, farm.apiKey, { image, audio: longAudio });
    expect(created.status).toBe(202);
    const id = created.body.id;
    await until('the first chunk', async () => existsSync(join(folder, 'storage', 'jobs', id, 'chunks', '00000.ts')), 120_000);
    const restarts = farm.redis!.restarts;
    process.kill(farm.redis!.pid!, 'SIGKILL');
    await until('redis-server restarted', async () => farm.redis!.restarts > restarts, 30_000);
    await until(`job ${id} succeeding`, async () => (await getJob(farm.apiUrl, farm.apiKey, id).catch(() => ({ status: 'unreachable' }))).status === 'succeeded', 120_000, 250);
    const output = await downloadResult(farm.apiUrl, farm.apiKey, id);
    expect(videoSha256(output)).toBe(await farmReferenceSha(output, { image, audio: longAudio, pack, dir: work }));
  }, 300_000);
});
