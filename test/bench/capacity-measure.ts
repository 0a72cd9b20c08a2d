// npm run bench:capacity-measure [-- --seconds 60 --pack models/starter --json out/capacity-measure.json]
// What one job of --seconds of speech (512x512 crop, 25 fps) costs the farm, measured on the local farm
// (startLocalFarm: gateway, one worker, stitcher as child processes) against a Redis and an S3-protocol server
// (s3rver) used only by it: Redis commands and network bytes (INFO commandstats / stats, before and after), S3
// requests and body bytes by kind of object (a counting proxy in front of s3rver), CPU seconds of each process
// (/proc: the worker's split at the end of prepare) and webhook calls. A 3 s job runs first to load the models; the
// job is measured from its submit until its live-stream chunks are cleaned up. Prints a table and writes JSON.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { startLocalFarm } from 'portrait-farm/local-farm';
import { jobStorageKeys } from '@portrait-farm/jobs';
import { createStorage } from '@portrait-farm/storage';
import { writeEngineTestPack } from '@portrait-farm/test-support/engine-test-pack';
import { STARTER_PACK } from '@portrait-farm/test-support/repo-models';
import { startRedisServer } from '@portrait-farm/test-support/redis-server';
import { startS3rver } from '@portrait-farm/test-support/s3rver';
import { FIXTURES, getJob, loopedSpeech, submitJob, WebhookReceiver } from '../e2e/farm-harness.ts';
import { commandCalls, countsAdded, formatTable, infoNumber, parseRedisInfo } from './capacity-figures.ts';
import { childPidsRunning, processCpuSeconds } from './process-cpu.ts';
import { startS3CountingProxy } from './s3-counting-proxy.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    pack: { type: 'string' },
    json: { type: 'string', default: 'out/capacity-measure.json' },
  },
});
const seconds = Number(values.seconds);
if (!Number.isInteger(seconds) || seconds < 3 || seconds % 3 !== 0) throw new Error(`--seconds is a whole multiple of 3 (the speech fixture is 3 s long). Passed: ${values.seconds}`);
const work = mkdtempSync(join(tmpdir(), 'pf-capacity-measure-'));
let pack = values.pack ?? STARTER_PACK;
let packNote = pack;
if (!existsSync(join(pack, 'manifest.json'))) {
  pack = join(work, 'pack');
  writeEngineTestPack(pack);
  packNote = 'engine test pack (models/starter not present)';
}
const options = { fps: 25, mode: 'crop' as const, seed: 7 };
const image = join(FIXTURES, 'astronaut.png');
const audio = loopedSpeech(work, seconds / 3 - 1);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const redis = await startRedisServer();
const s3 = await startS3rver(['farm']);
const s3Pid = childPidsRunning('s3rver')[0] ?? null;
const proxy = await startS3CountingProxy(s3.endpoint);
let webhookSecret = '';
const receiver = await WebhookReceiver.start(() => webhookSecret);
const storageUrl = `s3://S3RVER:S3RVER@farm/capacity?endpoint=${encodeURIComponent(proxy.endpoint)}&region=us-east-1`;
mkdirSync(join(work, 'tmp'));
const farm = await startLocalFarm({
  workers: 1,
  port: 0,
  redisUrl: redis.url,
  storageUrl,
  dataDir: join(work, 'farm'),
  packDir: pack,
  webhookAllowHosts: [new URL(receiver.url).host],
  env: { PORTRAIT_FARM_PROVIDERS: 'cpu', PORTRAIT_FARM_TEMP_DIR: join(work, 'tmp'), PORTRAIT_FARM_LIVE_GRACE_SECONDS: '0' },
});
webhookSecret = farm.webhookSecret;
const admin = new Redis(redis.url);
// Straight to s3rver (not counted): the bench's own look at the chunks.
const direct = createStorage(`s3://S3RVER:S3RVER@farm/capacity?endpoint=${encodeURIComponent(s3.endpoint)}&region=us-east-1`);
const redisPid = infoNumber(parseRedisInfo(await admin.info('server')), 'process_id');
const pids: Record<string, number | null> = {
  gateway: farm.gateway.pid,
  worker: farm.workers[0]?.pid ?? null,
  stitcher: farm.stitcher.pid,
  redis: redisPid,
  s3rver: s3Pid,
};
const cpuNow = (): Record<string, number> => Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, pid === null ? Number.NaN : (processCpuSeconds(pid) ?? Number.NaN)]));

/** Submits a job with a webhook and waits for its end; calls `onPrepared` once the job has left prepare. */
async function runJob(audioPath: string, onPrepared: () => void = () => {}): Promise<{ id: string; polls: number; wallSeconds: number }> {
  const started = performance.now();
  const created = await submitJob(farm.apiUrl, farm.apiKey, { image, audio: audioPath, options, webhook: receiver.url });
  if (created.status !== 202) throw new Error(`POST /v1/jobs answered ${created.status}: ${JSON.stringify(created.body)}`);
  const { id } = created.body;
  let polls = 0;
  let prepared = false;
  for (;;) {
    await sleep(500);
    polls += 1;
    const job = await getJob(farm.apiUrl, farm.apiKey, id);
    if (!prepared && !['queued', 'preparing'].includes(job.status)) {
      prepared = true;
      onPrepared();
    }
    if (job.status === 'succeeded') break;
    if (job.status === 'failed' || job.status === 'canceled') throw new Error(`job ${id} ${job.status}: ${JSON.stringify(job['error'])}`);
  }
  await receiver.waitFor(id, 'job.succeeded', 30_000);
  return { id, polls, wallSeconds: (performance.now() - started) / 1000 };
}

/** Waits until the job's live-stream chunks are gone (deleted once the clip's length has passed since success). */
async function chunksCleanedUp(id: string): Promise<void> {
  const deadline = Date.now() + (seconds + 60) * 1000;
  while (Date.now() < deadline) {
    if ((await direct.list(jobStorageKeys.chunkPrefix(id))).length === 0) return;
    await sleep(1000);
  }
  process.stderr.write('chunks not all deleted within the wait; counted what was\n');
}

/** Redis commands per second of the farm with no job (heartbeats, queue polls), over `windowSeconds`. */
async function idleCommandsPerSecond(windowSeconds: number): Promise<number> {
  const before = commandCalls(parseRedisInfo(await admin.info('commandstats')));
  await sleep(windowSeconds * 1000);
  const added = countsAdded(before, commandCalls(parseRedisInfo(await admin.info('commandstats'))));
  added.delete('info');
  return [...added.values()].reduce((a, b) => a + b, 0) / windowSeconds;
}

try {
  process.stderr.write(`warm-up job (3 s of speech)...\n`);
  await runJob(join(FIXTURES, 'speech-3s.wav'));
  await sleep(4000);
  const idleRate = await idleCommandsPerSecond(20);
  const load = loadavg();
  const redisBefore = parseRedisInfo(await admin.info('all'));
  const keysBefore = await admin.dbsize();
  proxy.reset();
  const webhooksBefore = receiver.events.length;
  const cpuBefore = cpuNow();
  let cpuPrepared: Record<string, number> | null = null;
  process.stderr.write(`measured job (${seconds} s of speech)...\n`);
  const job = await runJob(audio, () => {
    cpuPrepared = cpuNow();
  });
  const cleanupStarted = performance.now();
  await chunksCleanedUp(job.id);
  const cleanupSeconds = (performance.now() - cleanupStarted) / 1000;
  const cpuAfter = cpuNow();
  const redisAfter = parseRedisInfo(await admin.info('all'));
  // What the ended job leaves in Redis: its record, timeline and indexes, and BullMQ's finished step jobs (kept a day).
  const keysLeft = (await admin.dbsize()) - keysBefore;
  const memoryLeft = infoNumber(redisAfter, 'used_memory') - infoNumber(redisBefore, 'used_memory');
  const commands = countsAdded(commandCalls(redisBefore), commandCalls(redisAfter));
  commands.delete('info');
  const totalCommands = [...commands.values()].reduce((a, b) => a + b, 0);
  const redisBytes = {
    in: infoNumber(redisAfter, 'total_net_input_bytes') - infoNumber(redisBefore, 'total_net_input_bytes'),
    out: infoNumber(redisAfter, 'total_net_output_bytes') - infoNumber(redisBefore, 'total_net_output_bytes'),
  };
  const redisCpu = infoNumber(redisAfter, 'used_cpu_user') + infoNumber(redisAfter, 'used_cpu_sys') - infoNumber(redisBefore, 'used_cpu_user') - infoNumber(redisBefore, 'used_cpu_sys');
  const s3Traffic = [...proxy.counts()].sort(([a], [b]) => a.localeCompare(b));
  const prepared: Record<string, number> = cpuPrepared ?? cpuBefore;
  const cpu = {
    gateway: cpuAfter['gateway']! - cpuBefore['gateway']!,
    prepare: prepared['worker']! - cpuBefore['worker']!,
    segments: cpuAfter['worker']! - prepared['worker']!,
    stitcher: cpuAfter['stitcher']! - cpuBefore['stitcher']!,
    redis: cpuAfter['redis']! - cpuBefore['redis']!,
    s3rver: cpuAfter['s3rver']! - cpuBefore['s3rver']!,
  };
  const view = await getJob(farm.apiUrl, farm.apiKey, job.id);
  const measuredSeconds = job.wallSeconds + cleanupSeconds;
  const segments = (view['progress'] as { segmentsTotal: number }).segmentsTotal;
  const webhooks = receiver.events.slice(webhooksBefore).filter((e) => e.jobId === job.id);
  const result = {
    clipSeconds: seconds,
    pack: packNote,
    options,
    segments,
    wallSeconds: job.wallSeconds,
    statusPolls: job.polls,
    loadAverage1m: load[0],
    measuredSeconds,
    redisIdleCommandsPerSecond: idleRate,
    redis: { commands: Object.fromEntries([...commands].sort(([, a], [, b]) => b - a)), totalCommands, netInputBytes: redisBytes.in, netOutputBytes: redisBytes.out, cpuSeconds: redisCpu, keysLeft, memoryLeftBytes: memoryLeft },
    s3: Object.fromEntries(s3Traffic),
    cpuSeconds: cpu,
    webhooks: { calls: webhooks.length, types: webhooks.map((w) => w.type) },
    timings: view['timings'],
  };
  mkdirSync(dirname(values.json), { recursive: true });
  writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
  const fixed = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : '-');
  const lines = [
    `Capacity measure: ${seconds} s of speech, 512x512 crop, 25 fps, ${segments} segments, pack: ${packNote}`,
    `submit -> succeeded ${fixed(job.wallSeconds, 1)} s on this machine (1-minute load average at the start ${fixed(load[0]!)}); the bench polled GET /v1/jobs ${job.polls} times (counted below)`,
    '',
    formatTable(['Redis', 'value'], [
      ['commands (all, INFO excluded)', String(totalCommands)],
      [`  of which idle farm (${fixed(idleRate, 1)}/s x ${fixed(measuredSeconds, 1)} s)`, fixed(idleRate * measuredSeconds, 0)],
      ...[...commands].sort(([, a], [, b]) => b - a).slice(0, 12).map(([name, calls]) => [`  ${name}`, String(calls)]),
      ['network bytes in', String(redisBytes.in)],
      ['network bytes out', String(redisBytes.out)],
      ['CPU seconds (used_cpu_user+sys)', fixed(redisCpu, 3)],
      ['keys left after the job', String(keysLeft)],
      ['memory left after the job (used_memory)', String(memoryLeft)],
    ]),
    '',
    formatTable(['S3 (method kind)', 'requests', 'bytes up', 'bytes down'], s3Traffic.map(([key, c]) => [key, String(c.requests), String(c.bytesIn), String(c.bytesOut)])),
    '',
    formatTable(['CPU seconds', 'value'], Object.entries(cpu).map(([name, value]) => [name, fixed(value)])),
    '',
    `webhook calls: ${webhooks.length} (${webhooks.map((w) => w.type).join(', ')})`,
    `written: ${values.json}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  admin.disconnect();
  await direct.close();
  await farm.stop();
  await receiver.close();
  await proxy.close();
  await s3.stop();
  await redis.close();
  rmSync(work, { recursive: true, force: true });
}
