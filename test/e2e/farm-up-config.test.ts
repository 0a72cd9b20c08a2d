import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeEngineTestPack } from '@portrait-farm/test-support/engine-test-pack';
import { FIXTURES, JOB_OPTIONS, loopedSpeech, submitJob } from './farm-harness.ts';

// Regression (issue 19, item 3): PORTRAIT_FARM_MAX_CONCURRENT_JOBS set for `up` did not reach its gateway (the limit
// stayed 10), nor did any other PORTRAIT_FARM_* the gateway reads. Here `up` runs as the real command with three of them.
const work = mkdtempSync(join(tmpdir(), 'pf-e2e-up-config-'));
const pack = join(work, 'pack');
const bin = fileURLToPath(new URL('../../apps/cli/bin/portrait-farm.js', import.meta.url));
const image = join(FIXTURES, 'astronaut.png');
let up: ChildProcess;
let output = '';
let apiUrl = '';
let apiKey = '';

beforeAll(async () => {
  writeEngineTestPack(pack, { defaultSteps: 4 });
  mkdirSync(join(work, 'tmp'));
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PORTRAIT_FARM_')));
  up = spawn(process.execPath, [bin, 'up', '--workers', '1', '--port', '0', '--data-dir', join(work, 'farm'), '--pack', pack], {
    cwd: work,
    env: {
      ...inherited,
      PORTRAIT_FARM_PROVIDERS: 'cpu',
      PORTRAIT_FARM_TEMP_DIR: join(work, 'tmp'),
      PORTRAIT_FARM_MAX_CONCURRENT_JOBS: '2',
      PORTRAIT_FARM_MAX_QUEUED_JOBS: '1',
      PORTRAIT_FARM_REQUIRE_LABEL: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  up.stdout!.on('data', (data: Buffer) => (output += data.toString()));
  up.stderr!.on('data', (data: Buffer) => (output += data.toString()));
  const deadline = Date.now() + 120_000;
  while (!output.includes('Press Ctrl-C to stop.')) {
    if (up.exitCode !== null || Date.now() > deadline) throw new Error(`up did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  apiUrl = /API {7}(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] ?? '';
  apiKey = /API key {3}(\S+)/.exec(output)?.[1] ?? '';
}, 150_000);

afterAll(async () => {
  if (up !== undefined && up.exitCode === null) {
    const exited = new Promise((resolve) => up.once('exit', resolve));
    up.kill('SIGTERM');
    await exited;
  }
  rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('up passes the gateway variables of its environment to its gateway', () => {
  it("PORTRAIT_FARM_MAX_CONCURRENT_JOBS=2, PORTRAIT_FARM_MAX_QUEUED_JOBS=1: a tenant's third concurrent job is held, its fourth refused", async () => {
    // Long enough that no job ends while the four are created at once.
    const audio = loopedSpeech(work, 5);
    const answers = await Promise.all([1, 2, 3, 4].map(() => submitJob(apiUrl, apiKey, { image, audio })));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([202, 202, 202, 429]);
    const accepted = answers.filter((a) => a.status === 202);
    const positions = accepted.map((a) => (a.body as { queuePosition?: number | null }).queuePosition).sort();
    expect(positions).toEqual([1, null, null]);
    const refused = answers.find((a) => a.status === 429)!;
    expect(refused.body).toMatchObject({ error: { code: 'GATEWAY_QUEUE_FULL' } });
    expect(JSON.stringify(refused.body)).toContain('PORTRAIT_FARM_MAX_QUEUED_JOBS=1 jobs may wait behind PORTRAIT_FARM_MAX_CONCURRENT_JOBS=2');
    for (const job of accepted) {
      await fetch(`${apiUrl}/v1/jobs/${job.body.id}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}` } });
    }
  }, 120_000);

  it('PORTRAIT_FARM_REQUIRE_LABEL=1: a job without the visible label is refused', async () => {
    const refused = await submitJob(apiUrl, apiKey, { image, audio: join(FIXTURES, 'speech-3s.wav'), options: { ...JOB_OPTIONS, label: false } });
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.body)).toContain('PORTRAIT_FARM_REQUIRE_LABEL');
  }, 60_000);
});
