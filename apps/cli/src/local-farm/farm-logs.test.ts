import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openFarmLogs } from './farm-logs.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pf-farm-logs-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const EVENT = JSON.stringify({ level: 30, time: '2025-03-04T12:00:03.250Z', service: 'worker', event: 'segment.rendered', jobId: 'job_x', tenant: 'local', segment: 0, segments: 2, durationMs: 500, msg: 'segment rendered' });
const OTHER = JSON.stringify({ level: 30, time: '2025-03-04T12:00:03.250Z', service: 'worker', jobId: 'job_x', msg: 'segment step done' });

describe('openFarmLogs', () => {
  it("appends each process's lines to its file and gives the terminal only the job events and exits", async () => {
    await writeFile(join(dir, 'worker-1.log'), 'earlier run\n');
    const shown: string[] = [];
    const logs = openFarmLogs(dir, { log: (line) => shown.push(line), verbose: false });
    const worker = logs.of('worker-1');
    worker.onLine(EVENT);
    worker.onLine(OTHER);
    worker.onLine('TypeError: boom');
    worker.onExit('exited with code 1', 1000);
    logs.of('redis').onLine('* Ready to accept connections');
    await logs.close();
    logs.of('late').onLine(EVENT); // after close: no file is written, the line still reaches the terminal
    expect(await readFile(join(dir, 'worker-1.log'), 'utf8')).toBe(`earlier run\n${EVENT}\n${OTHER}\nTypeError: boom\n`);
    expect(await readFile(join(dir, 'redis.log'), 'utf8')).toBe('* Ready to accept connections\n');
    expect(shown).toHaveLength(3);
    expect(shown[0]).toMatch(/^\d\d:\d\d:\d\d {2}job_x {2}segment 1\/2 rendered in 0\.5 s$/);
    expect(shown[1]).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d {2}worker-1 {2}exited with code 1; restarting in 1\\.0 s \\(log: ${join(dir, 'worker-1.log')}\\)$`));
  });

  it('gives the terminal every line too when verbose, and moves a file past its size limit aside', async () => {
    await writeFile(join(dir, 'gateway.log'), 'x'.repeat(100));
    const shown: string[] = [];
    const logs = openFarmLogs(dir, { log: (line) => shown.push(line), verbose: true, rotateBytes: 50 });
    logs.of('gateway').onLine(OTHER);
    await logs.close();
    expect(shown).toEqual([`[gateway] ${OTHER}`]);
    expect(await readFile(join(dir, 'gateway.log.1'), 'utf8')).toBe('x'.repeat(100));
    expect(await readFile(join(dir, 'gateway.log'), 'utf8')).toBe(`${OTHER}\n`);
  });
});
