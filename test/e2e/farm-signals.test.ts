import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProcessAlive, waitUntilGone } from '@portrait-farm/process-supervision';
import { writeEngineTestPack } from '@portrait-farm/test-support/engine-test-pack';
import { FIXTURES, getJob, submitJob, until } from './farm-harness.ts';

// Regression (issue 16): `portrait-farm up & kill $!` left redis-server, the gateway, worker and stitcher running and
// the gateway's configuration file (with the API key) behind; a second `up` on the same data folder started a second
// Redis on the same append-only file and reported ready because the orphan gateway answered. Here `up` runs as the
// real command: SIGTERM and SIGHUP stop every process it started and remove its files, SIGKILL too (its guard does
// it), a second `up` on the folder and an `up` on a taken port fail with an error that says why.
const work = mkdtempSync(join(tmpdir(), 'pf-e2e-signals-'));
const pack = join(work, 'pack');
const bin = fileURLToPath(new URL('../../apps/cli/bin/portrait-farm.js', import.meta.url));
const running: ChildProcess[] = [];

interface Up {
  child: ChildProcess;
  pid: number;
  port: number;
  output(): string;
  exit: Promise<number | null>;
}

function runUp(dataDir: string, port: number): Up {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PORTRAIT_FARM_')));
  const child = spawn(process.execPath, [bin, 'up', '--workers', '1', '--port', String(port), '--data-dir', dataDir, '--pack', pack], {
    cwd: work,
    env: { ...env, PORTRAIT_FARM_PROVIDERS: 'cpu', PORTRAIT_FARM_TEMP_DIR: join(work, 'tmp') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let text = '';
  child.stdout!.on('data', (data: Buffer) => (text += data.toString()));
  child.stderr!.on('data', (data: Buffer) => (text += data.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, pid: child.pid!, port, output: () => text, exit };
}

/** Whether the worker logged that its warm-up is over (its ffmpeg runs, children that come and go, with it). */
function workerWarmedUp(dataDir: string): boolean {
  const log = join(dataDir, 'logs', 'worker-1.log');
  return existsSync(log) && readFileSync(log, 'utf8').includes('"msg":"warmed up"');
}

/**
 * Starts `up` and waits until it says the farm is up and its worker has warmed up; answers its port and every
 * process it started.
 */
async function startUp(dataDir: string): Promise<Up & { descendants: number[] }> {
  const up = runUp(dataDir, 0);
  const deadline = Date.now() + 120_000;
  while (!up.output().includes('Press Ctrl-C to stop.') || !workerWarmedUp(dataDir)) {
    if (up.child.exitCode !== null || Date.now() > deadline) throw new Error(`up did not start:\n${up.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const port = Number(/API {7}http:\/\/127\.0\.0\.1:(\d+)/.exec(up.output())?.[1]);
  return { ...up, port, descendants: descendantsOf(up.pid) };
}

function descendantsOf(pid: number): number[] {
  const table = execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const visit = (parent: number): void => {
    for (const [child, ppid] of table) {
      if (ppid === parent) {
        found.push(child);
        visit(child);
      }
    }
  };
  visit(pid);
  return found;
}

/** What the farm leaves in its data folder while it runs: the gateway's configuration (API key) and the claim. */
function runtimeFiles(dataDir: string): string[] {
  return readdirSync(dataDir).filter((name) => /^gateway-config-\d+\.json$/.test(name) || name === 'farm.pid');
}

beforeAll(() => {
  writeEngineTestPack(pack, { defaultSteps: 4 });
  mkdirSync(join(work, 'tmp'));
});

afterAll(async () => {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await new Promise((resolve) => setTimeout(resolve, 3000));
  rmSync(work, { recursive: true, force: true });
}, 30_000);

describe('portrait-farm up and signals', () => {
  it('refuses a second farm on its data folder and a taken port, and stops everything on SIGTERM', async () => {
    const dataDir = join(work, 'farm');
    const up = await startUp(dataDir);
    // redis-server, gateway, worker, stitcher and the guard at least (tsx may add its esbuild service).
    expect(up.descendants.length).toBeGreaterThanOrEqual(5);
    expect(runtimeFiles(dataDir).sort()).toEqual(['farm.pid', `gateway-config-${up.pid}.json`]);

    const second = runUp(dataDir, 0);
    expect(await second.exit).toBe(1);
    expect(second.output()).toContain(`portrait-farm up: Another local farm (pid ${up.pid}) is using ${dataDir}.`);

    const onGatewayPort = runUp(join(work, 'farm-b'), up.port);
    expect(await onGatewayPort.exit).toBe(1);
    expect(onGatewayPort.output()).toMatch(new RegExp(`portrait-farm up: Port ${up.port} on 127\\.0\\.0\\.1 is already in use by a portrait-farm gateway \\(pid \\d+\\)\\.`));
    // Another program on the port: it accepts connections and never answers HTTP.
    const server = createServer((socket) => socket.resume());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const taken = (server.address() as AddressInfo).port;
    try {
      const onTakenPort = runUp(join(work, 'farm-c'), taken);
      expect(await onTakenPort.exit).toBe(1);
      expect(onTakenPort.output()).toContain(`portrait-farm up: Port ${taken} on 127.0.0.1 is already in use by another process. Stop it, or choose another port.`);
      expect(onTakenPort.output()).not.toContain('Press Ctrl-C');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(up.descendants.every(isProcessAlive)).toBe(true);

    up.child.kill('SIGTERM');
    expect(await up.exit).toBe(0);
    expect(up.output()).toContain('Stopping the farm (Stopped by SIGTERM)...');
    expect(up.descendants.filter(isProcessAlive)).toEqual([]);
    expect(runtimeFiles(dataDir)).toEqual([]);
  }, 240_000);

  it('shows a job as readable event lines, its processes logging JSON with jobId and tenant to files, and stops everything on SIGHUP (a closed terminal)', async () => {
    const dataDir = join(work, 'farm');
    const up = await startUp(dataDir);
    const logDir = join(dataDir, 'logs');
    expect(up.output()).toContain(`  Logs      ${logDir}  (gateway.log, worker-N.log, stitcher.log, redis.log)`);
    const [, apiKey, tenant] = /API key {3}(\S+) {2}\(tenant (\S+)\)/.exec(up.output()) ?? [];
    const apiUrl = `http://127.0.0.1:${up.port}`;
    const created = await submitJob(apiUrl, apiKey!, { image: join(FIXTURES, 'astronaut.png'), audio: join(FIXTURES, 'speech-3s.wav') });
    expect(created.status).toBe(202);
    const jobId = created.body.id;
    await until('the job succeeds', async () => (await getJob(apiUrl, apiKey!, jobId)).status === 'succeeded', 150_000, 500);
    await until('the terminal shows the success', async () => up.output().includes(`${jobId}  succeeded: `), 10_000);

    // The terminal: one line per job event, time first; no request lines, no JSON.
    const lines = up.output().split('\n');
    const events = lines.filter((line) => line.includes(jobId)).map((line) => line.replace(/^\d\d:\d\d:\d\d {2}/, '<time>  '));
    const segments = (await getJob(apiUrl, apiKey!, jobId))['progress'] as { segmentsTotal: number };
    expect(events[0]).toBe(`<time>  ${jobId}  accepted (tenant ${tenant})`);
    expect(events[1]).toMatch(new RegExp(`^<time>  ${jobId}  prepared: ${segments.segmentsTotal} segments?, \\d+ frames? in \\d+\\.\\d s$`));
    expect(events.filter((line) => / {2}segment \d+\/\d+ rendered in \d+\.\d s$/.test(line))).toHaveLength(segments.segmentsTotal);
    expect(events.at(-1)).toMatch(new RegExp(`^<time>  ${jobId}  succeeded: \\d+\\.\\d s of video, \\d+(\\.\\d)? [kM]?B, in \\d+\\.\\d s$`));
    expect(events).toHaveLength(segments.segmentsTotal + 3);
    expect(lines.filter((line) => line.trimStart().startsWith('{') || line.includes('request completed') || line.includes('"reqId"'))).toEqual([]);

    // The files: each process's JSON lines, the job's entries with its id and tenant.
    expect(readdirSync(logDir).sort()).toEqual(['gateway.log', 'redis.log', 'stitcher.log', 'worker-1.log']);
    const entries = (name: string): Array<Record<string, unknown>> =>
      readFileSync(join(logDir, name), 'utf8')
        .split('\n')
        .filter((line) => line.includes(jobId))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    const eventsIn = (name: string): unknown[] => entries(name).filter((e) => e['event'] !== undefined).map((e) => [e['event'], e['jobId'], e['tenant'], e['service']]);
    expect(eventsIn('gateway.log')).toEqual([['job.created', jobId, tenant, 'gateway']]);
    expect(eventsIn('worker-1.log')).toEqual([
      ['job.prepared', jobId, tenant, 'worker'],
      ...Array.from({ length: segments.segmentsTotal }, () => ['segment.rendered', jobId, tenant, 'worker']),
    ]);
    expect(eventsIn('stitcher.log')).toEqual([['job.succeeded', jobId, tenant, 'stitcher']]);
    expect(entries('worker-1.log').filter((e) => e['msg'] === 'segment step done').map((e) => [e['tenant'], e['queue'], typeof e['durationMs']])).toEqual(
      Array.from({ length: segments.segmentsTotal - 1 }, () => [tenant, 'segment', 'number']),
    );
    const requests = readFileSync(join(logDir, 'gateway.log'), 'utf8').split('\n').filter((line) => line.includes('"request completed"'));
    expect(requests.map((line) => (JSON.parse(line) as { tenant?: string }).tenant)).toContain(tenant);

    up.child.kill('SIGHUP');
    expect(await up.exit).toBe(0);
    expect(up.descendants.filter(isProcessAlive)).toEqual([]);
    expect(runtimeFiles(dataDir)).toEqual([]);
  }, 300_000);

  it('stops everything when up itself is killed with SIGKILL (its guard does), and frees the data folder', async () => {
    const dataDir = join(work, 'farm');
    const up = await startUp(dataDir);
    up.child.kill('SIGKILL');
    await up.exit;
    expect(await waitUntilGone(up.descendants, 20_000)).toBe(true);
    expect(runtimeFiles(dataDir)).toEqual([]);
    expect(existsSync(join(dataDir, 'credentials.json'))).toBe(true);
  }, 180_000);
});
