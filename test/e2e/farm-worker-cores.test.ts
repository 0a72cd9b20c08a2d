import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coresPerWorker, usableCores } from '@portrait-farm/process-supervision';
import { writeEngineTestPack } from '@portrait-farm/test-support/engine-test-pack';
import { startLocalFarm } from 'portrait-farm/local-farm';
import type { LocalFarm } from 'portrait-farm/local-farm';
import { until } from './farm-harness.ts';

// Issue 17, item 2: `up` with N workers gives each its share of the machine's cores, and each worker sizes its
// threads to that share (logged at start as "threads sized"), not to the whole machine.
const work = mkdtempSync(join(tmpdir(), 'pf-e2e-worker-cores-'));
const pack = join(work, 'pack');
let farm: LocalFarm;

interface ThreadsSized {
  cores: number;
  renderThreads: number;
  intraOpThreads: number;
  renderThreadsFrom: string;
}

/** The worker's complete log lines, parsed, in order (none before it has logged). */
function logLines(worker: string): Array<{ msg?: string } & Record<string, unknown>> {
  let text = '';
  try {
    text = readFileSync(join(farm.logDir, `${worker}.log`), 'utf8');
  } catch {
    return [];
  }
  // The last piece may be a line still being written: only lines ended by a newline are read.
  return text.split('\n').slice(0, -1).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg?: string });
}

/** The worker's "threads sized" log line, or null before it has logged one. */
function threadsSized(worker: string): ThreadsSized | null {
  return (logLines(worker).find((l) => l.msg === 'threads sized') as ThreadsSized | undefined) ?? null;
}

beforeAll(async () => {
  writeEngineTestPack(pack, { defaultSteps: 4 });
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('PORTRAIT_FARM_')).map(([name]) => [name, '']));
  farm = await startLocalFarm({
    workers: 2,
    port: 0,
    dataDir: join(work, 'farm'),
    storageUrl: join(work, 'storage'),
    packDir: pack,
    env: { ...inherited, PORTRAIT_FARM_PROVIDERS: 'cpu', PORTRAIT_FARM_TEMP_DIR: work },
  });
}, 180_000);

afterAll(async () => {
  await farm?.stop();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('workers on one machine', () => {
  it("size their threads to their share of the machine's cores", async () => {
    await until('both workers log their thread sizes', async () => threadsSized('worker-1') !== null && threadsSized('worker-2') !== null, 120_000, 250);
    const share = coresPerWorker(usableCores(), 2);
    for (const worker of ['worker-1', 'worker-2']) {
      expect(threadsSized(worker)).toMatchObject({ cores: share, renderThreads: Math.max(1, share - 1), intraOpThreads: Math.max(1, Math.floor(share / 2)), renderThreadsFrom: 'cores' });
    }
  }, 150_000);

  it('warm up while idle (a drawn clip of two segments through the engine and render threads)', async () => {
    const warmedUp = (worker: string): Record<string, unknown> | undefined => logLines(worker).find((l) => l.msg === 'warmed up');
    await until('both workers warm up', async () => warmedUp('worker-1') !== undefined && warmedUp('worker-2') !== undefined, 120_000, 250);
    for (const worker of ['worker-1', 'worker-2']) expect(warmedUp(worker)).toMatchObject({ segments: 2, frames: 75 });
  }, 150_000);
});
