// npm run bench:capacity-sim [-- --workers 1,10,100,300,1000 --window 20 --scale 4 --modes single,cluster
//                               --processes 4 --worker-objects 50 --measure out/capacity-measure.json --json out/capacity-sim.json]
// N simulated workers (capacity-sim-worker.ts: the farm's step Workers through openStepProcess, running the
// prepare/segment/stitch steps of capacity-sim-steps.ts, which make the real steps' Redis and storage calls and hold
// for the measured step times times --scale) against one Redis (or a 3-master Redis Cluster) and one s3rver behind
// the counting proxy, fed with jobs (JobStore.create + inputs stored + prepare queued, as the gateway does) whenever
// fewer than N/20 steps wait. Per N, after a warm-up: jobs/s and segments/s reached, Redis CPU per wall second
// (INFO used_cpu_user+sys), Redis command latency (a PING loop; and the server's own usec per call), p99 queue
// latency (enqueue -> start of a segment), CPU of s3rver and of the simulation's processes, and what saturates.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { ENVIRONMENT } from '@portrait-farm/config';
import { JobStore } from '@portrait-farm/jobs';
import { testJob } from '@portrait-farm/jobs/testing';
import { loadFarmConfig } from '@portrait-farm/job-steps';
import { createRedisClient, FarmQueues, readQueueCounts } from '@portrait-farm/queue';
import { createStorage } from '@portrait-farm/storage';
import { startRedisCluster } from '@portrait-farm/test-support/redis-cluster';
import { startRedisServer } from '@portrait-farm/test-support/redis-server';
import { startS3rver } from '@portrait-farm/test-support/s3rver';
import { commandCalls, countsAdded, formatTable, infoNumber, parseRedisInfo, percentile } from './capacity-figures.ts';
import type { SimProfile } from './capacity-sim-steps.ts';
import type { SimReport } from './capacity-sim-worker.ts';
import { childPidsRunning, cpuPressureMicroseconds, processCpuSeconds } from './process-cpu.ts';
import { startS3CountingProxy } from './s3-counting-proxy.ts';

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '1,10,100,300,1000' },
    window: { type: 'string', default: '20' },
    scale: { type: 'string', default: '4' },
    modes: { type: 'string', default: 'single,cluster' },
    processes: { type: 'string', default: '4' },
    'worker-objects': { type: 'string', default: '50' },
    measure: { type: 'string', default: 'out/capacity-measure.json' },
    json: { type: 'string', default: 'out/capacity-sim.json' },
  },
});
const positive = (name: string, text: string): number => {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a number > 0. Passed: ${JSON.stringify(text)}`);
  return value;
};
const workerCounts = values.workers.split(',').map((n) => positive('workers', n));
const windowSeconds = positive('window', values.window);
const scale = positive('scale', values.scale);
const processCount = positive('processes', values.processes);
const workerObjects = positive('worker-objects', values['worker-objects']);
const modes = values.modes.split(',');
for (const mode of modes) if (mode !== 'single' && mode !== 'cluster') throw new Error(`--modes lists single and/or cluster. Passed: ${mode}`);

/** The measured job (capacity-measure.ts's JSON) as per-step holds and object sizes, holds times `scale`. */
function profileFrom(path: string): { profile: SimProfile; inputBytes: { image: number; audio: number } } {
  if (!existsSync(path)) throw new Error(`${path} is missing: run npm run bench:capacity-measure first (it writes the figures the simulation uses).`);
  const m = JSON.parse(readFileSync(path, 'utf8')) as {
    segments: number;
    clipSeconds: number;
    timings: { work: Record<string, number> };
    s3: Record<string, { requests: number; bytesIn: number }>;
  };
  const work = (name: string): number => m.timings.work[name] ?? 0;
  const perPut = (kind: string): number => {
    const put = m.s3[`PUT ${kind}`];
    return put === undefined || put.requests === 0 ? 0 : put.bytesIn / put.requests;
  };
  const s = m.segments;
  return {
    profile: {
      segments: s,
      framesPerSegment: Math.round((m.clipSeconds * 25) / s),
      prepareSeconds: (work('prepare') + work('decode') + work('face')) * scale,
      motionSeconds: ((work('audio') + work('motion')) / s) * scale,
      renderSeconds: (work('render') / s) * scale,
      stitchSeconds: work('stitch') * scale,
      clipBytes: perPut('clip'),
      relayBytes: perPut('relay'),
      chunkBytes: perPut('chunk'),
      outputBytes: perPut('output'),
    },
    inputBytes: { image: 250_000, audio: (m.s3['PUT input']?.bytesIn ?? 5_000_000) - 250_000 },
  };
}
const { profile, inputBytes } = profileFrom(values.measure);
const segmentHold = profile.motionSeconds + profile.renderSeconds;
/** Segments a worker runs at once (PORTRAIT_FARM_SEGMENT_CONCURRENCY's default): the measured step times overlap so. */
const segmentSlots = ENVIRONMENT.PORTRAIT_FARM_SEGMENT_CONCURRENCY.default;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const work = mkdtempSync(join(tmpdir(), 'pf-capacity-sim-'));
const packDir = join(work, 'pack');
mkdirSync(packDir);
writeFileSync(join(packDir, 'manifest.json'), '{}');

interface Row {
  mode: string;
  workers: number;
  /** Segments per second divided by the segments of a job (jobs end rarely within a window). */
  jobsPerSecond: number;
  /** Jobs that ended (stitched) within the window. */
  jobsDone: number;
  segmentsPerSecond: number;
  idealSegmentsPerSecond: number;
  redisCpu: number;
  redisCommandsPerSecond: number;
  redisCommandsPerSegment: number;
  redisUsecPerCall: number;
  pingP50Ms: number;
  pingP99Ms: number;
  queueP50Ms: number;
  queueP99Ms: number;
  s3RequestsPerSecond: number;
  s3Cpu: number;
  simCpu: number;
  stepErrors: number;
  loadAverage: number;
  /** Share of the window in which some task of this machine waited for a CPU (/proc/pressure/cpu); NaN where not reported. */
  cpuWaitShare: number;
  saturated: string;
}

/** CPU seconds per wall second of the processes, summed. */
function cpuOf(pids: readonly number[]): number {
  return pids.reduce((total, pid) => total + (processCpuSeconds(pid) ?? 0), 0);
}

/** The first resource near its limit, judged by CPU per wall second (one core = 1) and the reached share of the ideal rate. */
function saturation(row: Omit<Row, 'saturated'>): string {
  const found: string[] = [];
  if (row.redisCpu > 0.8) found.push(`Redis main thread (${row.redisCpu.toFixed(2)} of a core)`);
  if (row.s3Cpu > 0.8) found.push(`s3rver (${row.s3Cpu.toFixed(2)} of a core, one Node process)`);
  if (row.cpuWaitShare > 0.5) found.push(`this machine's 2 cores (a task waited for a core ${(row.cpuWaitShare * 100).toFixed(0)} % of the window; load average ${row.loadAverage.toFixed(1)}, other work included)`);
  else if (row.simCpu + row.redisCpu + row.s3Cpu > 1.7) found.push(`this machine's 2 cores (simulation ${row.simCpu.toFixed(2)}, all ${(row.simCpu + row.redisCpu + row.s3Cpu).toFixed(2)})`);
  const reached = row.segmentsPerSecond / row.idealSegmentsPerSecond;
  if (reached > 0.85) return `none: ${(reached * 100).toFixed(0)} % of the ideal rate${found.length === 0 ? '' : ` (near a limit: ${found.join('; ')})`}`;
  return found.length === 0 ? `none measured; ${(reached * 100).toFixed(0)} % of the ideal rate (feed and warm-up)` : found.join('; ');
}

async function runOne(mode: string, redisEnv: Record<string, string>, adminNodes: Redis[], s3Endpoint: string, s3Pid: number | null, workers: number): Promise<Row> {
  const prefix = `sim${workers}`;
  const proxy = await startS3CountingProxy(s3Endpoint);
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...redisEnv,
    PORTRAIT_FARM_PREFIX: prefix,
    PORTRAIT_FARM_STORAGE_URL: `s3://S3RVER:S3RVER@farm/${prefix}?endpoint=${encodeURIComponent(proxy.endpoint)}&region=us-east-1`,
    PORTRAIT_FARM_PACK: packDir,
    PORTRAIT_FARM_TEMP_DIR: work,
    PORTRAIT_FARM_PUBLIC_URL: 'http://127.0.0.1:1',
    SIM_PROFILE: JSON.stringify(profile),
  };
  const config = loadFarmConfig(env);
  const feedRedis = createRedisClient(config.redisUrl, { role: 'worker', clusterNodes: config.redisClusterNodes });
  const jobs = new JobStore({ redis: feedRedis, prefix: config.prefix });
  const queues = new FarmQueues({ connection: feedRedis, prefix: config.prefix, onError: () => {} });
  const storage = createStorage(env['PORTRAIT_FARM_STORAGE_URL']!);
  const processes = Math.min(processCount, workers);
  const children: ChildProcess[] = [];
  const messages = new Map<ChildProcess, (message: { kind: string; report?: SimReport }) => void>();
  const waitFor = (child: ChildProcess, kind: string): Promise<{ kind: string; report?: SimReport }> =>
    new Promise((resolve, reject) => {
      messages.set(child, (message) => message.kind === kind && resolve(message));
      child.once('exit', (code) => reject(new Error(`simulated worker process ${child.pid} exited (${code}) before '${kind}'`)));
    });
  let feeding = true;
  let fed = 0;
  let feeder: Promise<void> = Promise.resolve();
  try {
    const stitchers = Math.max(1, Math.round(workers / 50));
    for (let p = 0; p < processes; p += 1) {
      const share = Math.floor(workers / processes) + (p < workers % processes ? 1 : 0);
      const child = fork(new URL('./capacity-sim-worker.ts', import.meta.url).pathname, [], {
        env: { ...env, NODE_NO_WARNINGS: '1', SIM_WORKERS: String(share), SIM_WORKER_OBJECTS: String(workerObjects), SIM_STITCHERS: String(Math.floor(stitchers / processes) + (p < stitchers % processes ? 1 : 0)) },
        execArgv: ['--conditions=portrait-farm-source', '--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      child.on('message', (message) => messages.get(child)?.(message as { kind: string; report?: SimReport }));
      children.push(child);
    }
    await Promise.all(children.map((child) => waitFor(child, 'ready')));
    const image = Buffer.alloc(inputBytes.image, 1);
    const audio = Buffer.alloc(inputBytes.audio, 2);
    feeder = (async () => {
      while (feeding) {
        const [prepare, segment] = await Promise.all([readQueueCounts(queues, 'prepare'), readQueueCounts(queues, 'segment')]);
        const want = Math.min(50, Math.max(0, Math.ceil(workers / 20) - prepare.waiting - segment.waiting));
        await Promise.all(
          Array.from({ length: want }, async () => {
            const job = testJob({ tenantId: 'sim' });
            await Promise.all([storage.put(job.inputs.image.key, image), storage.put(job.inputs.audio.key, audio)]);
            await jobs.create(job);
            await queues.enqueuePrepare({ jobId: job.id, tenantId: 'sim' }, { priority: 5 });
            fed += 1;
          }),
        );
        await sleep(250);
      }
    })();
    const warmup = Math.max(8, (profile.prepareSeconds + segmentHold) * 1.2) * 1000;
    await sleep(warmup);
    const infoAll = async (): Promise<Array<Map<string, string>>> => Promise.all(adminNodes.map(async (node) => parseRedisInfo(await node.info('all'))));
    const simPids = children.map((c) => c.pid!).filter(Boolean);
    const before = { pressure: cpuPressureMicroseconds(), info: await infoAll(), s3Cpu: s3Pid === null ? 0 : (processCpuSeconds(s3Pid) ?? 0), simCpu: cpuOf(simPids), at: performance.now() };
    proxy.reset();
    for (const child of children) child.send('reset');
    const pings: number[] = [];
    const serving = adminNodes.length === 1 ? adminNodes[0]! : await servingNode(adminNodes, config.prefix);
    const windowEnd = performance.now() + windowSeconds * 1000;
    while (performance.now() < windowEnd) {
      const started = performance.now();
      await serving.ping();
      pings.push(performance.now() - started);
      await sleep(20);
    }
    const reports = await Promise.all(children.map(async (child) => {
      const answer = waitFor(child, 'report');
      child.send('report');
      return (await answer).report!;
    }));
    const after = { pressure: cpuPressureMicroseconds(), info: await infoAll(), s3Cpu: s3Pid === null ? 0 : (processCpuSeconds(s3Pid) ?? 0), simCpu: cpuOf(simPids), at: performance.now() };
    const wall = (after.at - before.at) / 1000;
    const sum = (pick: (info: Map<string, string>) => number, which: Array<Map<string, string>>): number => which.reduce((t, info) => t + pick(info), 0);
    const cpuField = (info: Map<string, string>): number => infoNumber(info, 'used_cpu_user') + infoNumber(info, 'used_cpu_sys');
    const busiest = Math.max(...after.info.map((info, i) => cpuField(info) - cpuField(before.info[i]!)));
    const commands = after.info.map((info, i) => countsAdded(commandCalls(before.info[i]!), commandCalls(info)));
    let totalCommands = 0;
    for (const added of commands) for (const [name, calls] of added) if (name !== 'info' && name !== 'ping') totalCommands += calls;
    const processed = sum((info) => infoNumber(info, 'total_commands_processed'), after.info) - sum((info) => infoNumber(info, 'total_commands_processed'), before.info);
    const usecTotal = (which: Array<Map<string, string>>): number =>
      which.reduce((t, info) => t + [...info].filter(([k]) => k.startsWith('cmdstat_')).reduce((u, [, v]) => u + Number(/usec=(\d+)/.exec(v)?.[1] ?? 0), 0), 0);
    const segmentsDone = reports.reduce((t, r) => t + r.segmentsDone, 0);
    const s3Requests = [...proxy.counts().values()].reduce((t, c) => t + c.requests, 0);
    const latencies = reports.flatMap((r) => r.queueLatenciesMs);
    const row: Omit<Row, 'saturated'> = {
      mode,
      workers,
      jobsPerSecond: segmentsDone / wall / profile.segments,
      jobsDone: reports.reduce((t, r) => t + r.jobsDone, 0),
      segmentsPerSecond: segmentsDone / wall,
      idealSegmentsPerSecond: (workers * segmentSlots) / segmentHold,
      redisCpu: busiest / wall,
      redisCommandsPerSecond: totalCommands / wall,
      redisCommandsPerSegment: segmentsDone === 0 ? Number.NaN : totalCommands / segmentsDone,
      redisUsecPerCall: processed === 0 ? Number.NaN : (usecTotal(after.info) - usecTotal(before.info)) / processed,
      pingP50Ms: percentile(pings, 50),
      pingP99Ms: percentile(pings, 99),
      queueP50Ms: percentile(latencies, 50),
      queueP99Ms: percentile(latencies, 99),
      s3RequestsPerSecond: s3Requests / wall,
      s3Cpu: (after.s3Cpu - before.s3Cpu) / wall,
      simCpu: (after.simCpu - before.simCpu) / wall,
      stepErrors: reports.reduce((t, r) => t + r.stepErrors, 0),
      loadAverage: loadavg()[0]!,
      cpuWaitShare: before.pressure === null || after.pressure === null ? Number.NaN : (after.pressure - before.pressure) / 1e6 / wall,
    };
    process.stderr.write(`${mode} N=${workers}: ${row.segmentsPerSecond.toFixed(2)} segments/s (ideal ${row.idealSegmentsPerSecond.toFixed(2)}), ${fed} jobs fed\n`);
    return { ...row, saturated: saturation(row) };
  } finally {
    feeding = false;
    await feeder.catch((error: unknown) => process.stderr.write(`feeder: ${String(error)}\n`));
    await Promise.all(children.map(async (child) => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send('stop');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }));
    await queues.close();
    await storage.close();
    feedRedis.disconnect();
    await proxy.close();
    for (const node of adminNodes) await node.flushall().catch(() => {});
  }
}

/** The cluster master holding the prefix's hash-tag slot (every farm key is there). */
async function servingNode(nodes: Redis[], prefix: string): Promise<Redis> {
  for (const node of nodes) {
    const slot = Number(await node.call('CLUSTER', 'KEYSLOT', prefix));
    const owned = (await node.call('CLUSTER', 'COUNTKEYSINSLOT', String(slot)).catch(() => null)) as number | null;
    if (owned !== null && owned > 0) return node;
  }
  return nodes[0]!;
}

const rows: Row[] = [];
const s3 = await startS3rver(['farm']);
const s3Pid = childPidsRunning('s3rver')[0] ?? null;
try {
  for (const mode of modes) {
    if (mode === 'single') {
      const redis = await startRedisServer();
      const admin = new Redis(redis.url);
      await admin.config('SET', 'maxclients', '10000');
      try {
        for (const n of workerCounts) rows.push(await runOne(mode, { PORTRAIT_FARM_REDIS_URL: redis.url }, [admin], s3.endpoint, s3Pid, n));
      } finally {
        admin.disconnect();
        await redis.close();
      }
    } else {
      const cluster = await startRedisCluster(3);
      const admins = cluster.nodes.map((node) => new Redis(`redis://${node}`));
      for (const admin of admins) await admin.config('SET', 'maxclients', '10000');
      try {
        for (const n of workerCounts) {
          rows.push(await runOne(mode, { PORTRAIT_FARM_REDIS_URL: `redis://${cluster.nodes[0]}`, PORTRAIT_FARM_REDIS_CLUSTER_NODES: cluster.nodes.join(',') }, admins, s3.endpoint, s3Pid, n));
        }
      } finally {
        for (const admin of admins) admin.disconnect();
        await cluster.close();
      }
    }
  }
} finally {
  await s3.stop();
  rmSync(work, { recursive: true, force: true });
}

const f = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const header = [
  `Capacity simulation: holds = measured step times x ${scale} (segment ${f(segmentHold, 2)} s: motion ${f(profile.motionSeconds, 2)} + render ${f(profile.renderSeconds, 2)}; prepare ${f(profile.prepareSeconds, 2)}, stitch ${f(profile.stitchSeconds, 2)}),`,
  `${segmentSlots} segment slots per worker (ideal segments/s = workers x ${segmentSlots} / ${f(segmentHold, 2)} s), ${profile.segments} segments a job (jobs/s = segments/s / ${profile.segments}), chunk ${f(profile.chunkBytes / 1000)} kB; ${windowSeconds} s windows; workers in ${processCount} processes of at most ${workerObjects} prepare+segment Worker pairs each; load average ${f(loadavg()[0]!, 2)} at the end`,
];
const table = formatTable(
  ['mode', 'workers', 'jobs/s', 'jobs done', 'segments/s', 'ideal seg/s', 'Redis CPU', 'cmds/s', 'cmds/seg', 'usec/call', 'PING p50/p99 ms', 'queue p50/p99 ms', 'S3 req/s', 's3rver CPU', 'sim CPU', 'CPU wait', 'load'],
  rows.map((r) => [
    r.mode,
    String(r.workers),
    f(r.jobsPerSecond, 3),
    String(r.jobsDone),
    f(r.segmentsPerSecond, 2),
    f(r.idealSegmentsPerSecond, 2),
    f(r.redisCpu, 3),
    f(r.redisCommandsPerSecond, 0),
    f(r.redisCommandsPerSegment, 0),
    f(r.redisUsecPerCall, 2),
    `${f(r.pingP50Ms, 2)}/${f(r.pingP99Ms, 2)}`,
    `${f(r.queueP50Ms, 0)}/${f(r.queueP99Ms, 0)}`,
    f(r.s3RequestsPerSecond, 1),
    f(r.s3Cpu, 2),
    f(r.simCpu, 2),
    `${f(r.cpuWaitShare * 100, 0)} %`,
    f(r.loadAverage, 1),
  ]),
);
const saturated = rows.map((r) => `  ${r.mode} N=${r.workers}: ${r.saturated}${r.stepErrors > 0 ? ` (${r.stepErrors} step errors)` : ''}`);
mkdirSync(dirname(values.json), { recursive: true });
writeFileSync(values.json, `${JSON.stringify({ scale, windowSeconds, processes: processCount, profile, rows }, null, 2)}\n`);
process.stdout.write(`${[...header, '', table, '', 'first to saturate:', ...saturated, `written: ${values.json}`].join('\n')}\n`);
