// npm run bench:farm [-- --runs 3 --seconds 30 --long 300 --concurrent 3 --pack models/starter --workers 1,2,2/1]
// For one clip of --seconds (astronaut.png, demo speech looped, 25 fps, full framing): the farm's time to the first
// chunk and total time (submit -> succeeded) with each worker count, as real processes (gateway, Redis, workers,
// stitcher, filesystem storage; warmed up by a short job and one of the clip), and renderClip of the same clip in
// this process with its models already loaded.
// Every worker count's farm runs from the start; each run takes the farms and renderClip in turn (the order rotated
// from run to run), so that all see the same machine, whose speed drifts: each row is the median over --runs, and each
// farm's speed against the first worker count's is also given run by run. The farm's overhead is its total with the
// first worker count minus renderClip. Then frames/s per machine: --concurrent clips submitted at once to each farm in
// turn (0: none). Last, with the first worker count, the time to the first chunk of a clip of --long seconds (the job
// canceled once its first chunk exists), to show it does not grow with the clip's length (from the submit, and from
// the 202 that accepts the job once the upload is done); each first-chunk run prints where the time went (upload,
// queue, prepare's stages). Each farm row gives frames/s (the clip's frames over its total) and the CPU seconds the
// farm's processes used for the job (Linux /proc). The workers size their threads to their share of the machine's
// cores (PORTRAIT_FARM_WORKER_CORES); PORTRAIT_FARM_RENDER_THREADS in this environment overrides it. A farm given as
// N/S in --workers has N workers of S segment slots each (PORTRAIT_FARM_SEGMENT_CONCURRENCY).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createEngine, renderClipWith, resolveRenderOptions } from '@portrait-farm/engine';
import { startLocalFarm } from 'portrait-farm/local-farm';
import type { LocalFarm } from 'portrait-farm/local-farm';
import { writeEngineTestPack } from '@portrait-farm/test-support/engine-test-pack';
import { STARTER_PACK } from '@portrait-farm/test-support/repo-models';
import { BENCH_FIXTURES, FARM_BENCH_OPTIONS, farmJobSucceeded, loopedSpeech, submitFarmJob, viewFarmJob } from './bench-inputs.ts';
import type { FarmJobView } from './bench-inputs.ts';
import { processCpuSeconds } from './process-cpu-seconds.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '30' },
    long: { type: 'string', default: '300' },
    pack: { type: 'string' },
    workers: { type: 'string', default: '1,2' },
    concurrent: { type: 'string', default: '3' },
  },
});
const runs = Number(values.runs);
const seconds = Number(values.seconds);
const longSeconds = Number(values.long);
/** Each farm of --workers: N workers, or N/S workers of S segment slots. */
const farmSpecs = values.workers.split(',').map((spec) => {
  const [workers, slots] = spec.split('/').map(Number);
  if (!Number.isInteger(workers) || workers! < 1 || (slots !== undefined && (!Number.isInteger(slots) || slots < 1))) throw new Error(`--workers: ${spec} is not N or N/S (workers, segment slots)`);
  return { workers: workers!, slots: slots ?? null, name: spec.replace('/', '-') };
});
const concurrent = Number(values.concurrent);
const work = mkdtempSync(join(tmpdir(), 'farm-bench-'));
const options = FARM_BENCH_OPTIONS;

let pack = values.pack ?? process.env['PORTRAIT_FARM_PACK'] ?? STARTER_PACK;
let packNote = pack;
if (!existsSync(join(pack, 'manifest.json'))) {
  pack = join(work, 'pack');
  writeEngineTestPack(pack);
  packNote = 'engine test pack (test denoiser, real audio and face models; models/starter not present)';
}
const image = join(BENCH_FIXTURES, 'astronaut.png');
const audio = loopedSpeech(seconds, join(work, 'speech.wav'));
const longAudio = loopedSpeech(longSeconds, join(work, 'speech-long.wav'));
const warmAudio = join(BENCH_FIXTURES, 'speech-3s.wav');

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Submits a job and times its first chunk (the file appearing in storage) and its end; with `firstChunkOnly` it
 * cancels the job once the first chunk exists and returns when the farm has let it go.
 */
async function runJob(
  farm: LocalFarm,
  storageDir: string,
  audioPath: string,
  firstChunkOnly = false,
): Promise<{ firstChunk: number; accepted: number; total: number; breakdown: string }> {
  const auth = { authorization: `Bearer ${farm.apiKey}` };
  const { id, sentAt, acceptedSeconds: submitted } = await submitFarmJob(farm, audioPath);
  const sinceSent = (): number => (Date.now() - sentAt) / 1000;
  const firstChunkFile = join(storageDir, 'jobs', id, 'chunks', '00000.ts');
  // The gateway allows 600 requests a minute per tenant: the chunk file is polled often, the job every 150 ms.
  const view = (): Promise<FarmJobView> => viewFarmJob(farm, id);
  let firstChunk = NaN;
  let breakdown = '';
  let viewedAt = -Infinity;
  for (;;) {
    if (Number.isNaN(firstChunk) && existsSync(firstChunkFile)) {
      firstChunk = sinceSent();
      const { timings } = await view();
      const work = Object.entries(timings.work).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ');
      breakdown = `submit (upload) ${submitted.toFixed(2)} s, queued ${timings.queuedSeconds?.toFixed(2)} s, preparing ${timings.preparingSeconds?.toFixed(2)} s; work so far: ${work}`;
      if (firstChunkOnly) {
        await fetch(`${farm.apiUrl}/v1/jobs/${id}/cancel`, { method: 'POST', headers: auth });
        while ((await view()).status !== 'canceled') await sleep(250);
        await sleep(1500);
        return { firstChunk, accepted: submitted, total: NaN, breakdown };
      }
    }
    if (performance.now() - viewedAt < 150) {
      await sleep(20);
      continue;
    }
    viewedAt = performance.now();
    if (farmJobSucceeded(await view(), id)) return { firstChunk, accepted: submitted, total: sinceSent(), breakdown };
  }
}

/** CPU seconds of the farm's processes so far by role (workers, stitcher, gateway, its Redis; ffmpeg that exited included). */
function farmCpuByRole(farm: LocalFarm): Record<'workers' | 'stitcher' | 'gateway' | 'redis', number> {
  const cpu = (processes: ReadonlyArray<{ pid: number | null } | null | undefined>): number => processCpuSeconds(processes.map((p) => p?.pid ?? null));
  return { workers: cpu(farm.workers), stitcher: cpu([farm.stitcher]), gateway: cpu([farm.gateway]), redis: cpu([farm.redis]) };
}
const sumOf = (parts: Record<string, number>): number => Object.values(parts).reduce((a, b) => a + b, 0);
const partsSince = (now: Record<string, number>, before: Record<string, number>): string =>
  Object.entries(now).map(([role, seconds]) => `${role} ${(seconds - (before[role] ?? 0)).toFixed(2)}`).join(', ');
const engine = await createEngine({ pack, providers: ['cpu'] });
/** renderClip in this process (its models loaded, its threads kept), taking its turn with the farms. */
async function renderLocal(run: number): Promise<number> {
  const out = join(work, 'local.mp4');
  const start = performance.now();
  const cpuBefore = processCpuSeconds([process.pid]);
  await renderClipWith(engine, resolveRenderOptions({ image, audio, out, pack, ...options }));
  const seconds = (performance.now() - start) / 1000;
  process.stderr.write(`renderClip, run ${run + 1}: ${seconds.toFixed(2)} s, CPU ${(processCpuSeconds([process.pid]) - cpuBefore).toFixed(2)} s\n`);
  return seconds;
}
/** `concurrent` clips submitted at once; their makespan (first submit to last success) and the farm's CPU for them. */
async function runBatch(farm: LocalFarm, storageDir: string, concurrent: number): Promise<{ makespan: number; cpu: number }> {
  const cpuBefore = farmCpuByRole(farm);
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrent }, () => runJob(farm, storageDir, audio)));
  return { makespan: (performance.now() - start) / 1000, cpu: sumOf(farmCpuByRole(farm)) - sumOf(cpuBefore) };
}

interface Setup {
  label: string;
  farm: LocalFarm;
  storageDir: string;
  firsts: number[];
  firstsAccepted: number[];
  totals: number[];
  cpus: number[];
  batchFramesPerSecond: number[];
  batchCpus: number[];
}
const setups: Setup[] = [];
const local: number[] = [];
const rotated = <T>(xs: readonly T[], by: number): T[] => xs.map((_, i) => xs[(i + by) % xs.length]!);
let firstChunkByLength: { label: string; short: number; long: number; shortAccepted: number; longAccepted: number } | null = null;
try {
  // Every farm runs from the start, idle but for its own job: each run takes every setup in turn, the order rotated.
  for (const { workers, slots, name } of farmSpecs) {
    const storageDir = join(work, `storage-${name}`);
    const env = { PORTRAIT_FARM_PROVIDERS: 'cpu', ...(slots === null ? {} : { PORTRAIT_FARM_SEGMENT_CONCURRENCY: String(slots) }) };
    const farm = await startLocalFarm({ workers, port: 0, dataDir: join(work, `farm-${name}`), storageUrl: storageDir, packDir: pack, env });
    const label = `farm, ${workers} worker${workers === 1 ? '' : 's'}${slots === null ? '' : `, ${slots} slot${slots === 1 ? '' : 's'}`}`;
    setups.push({ label, farm, storageDir, firsts: [], firstsAccepted: [], totals: [], cpus: [], batchFramesPerSecond: [], batchCpus: [] });
    // A short job, then a job of the measured clip: its segments reach every worker (each one's first segment is slower).
    await runJob(farm, storageDir, warmAudio);
    await runJob(farm, storageDir, audio);
  }
  const turns: Array<Setup | 'renderClip'> = [...setups, 'renderClip'];
  for (let run = 0; run < runs; run++) {
    for (const turn of rotated(turns, run)) {
      if (turn === 'renderClip') {
        local.push(await renderLocal(run));
        continue;
      }
      const cpuBefore = farmCpuByRole(turn.farm);
      const r = await runJob(turn.farm, turn.storageDir, audio);
      const cpuAfter = farmCpuByRole(turn.farm);
      turn.cpus.push(sumOf(cpuAfter) - sumOf(cpuBefore));
      turn.firsts.push(r.firstChunk);
      turn.firstsAccepted.push(r.firstChunk - r.accepted);
      turn.totals.push(r.total);
      process.stderr.write(`${turn.label}, run ${run + 1}: first chunk ${r.firstChunk.toFixed(2)} s (${r.breakdown}), total ${r.total.toFixed(2)} s, farm CPU ${turn.cpus.at(-1)!.toFixed(2)} s (${partsSince(cpuAfter, cpuBefore)})\n`);
    }
  }
  if (concurrent > 0) {
    for (let run = 0; run < runs; run++) {
      for (const setup of rotated(setups, run)) {
        const { makespan, cpu } = await runBatch(setup.farm, setup.storageDir, concurrent);
        setup.batchFramesPerSecond.push((concurrent * seconds * options.fps) / makespan);
        setup.batchCpus.push(cpu / concurrent);
        process.stderr.write(`${setup.label}, ${concurrent} clips at once, run ${run + 1}: ${makespan.toFixed(2)} s, ${setup.batchFramesPerSecond.at(-1)!.toFixed(1)} frames/s, farm CPU ${cpu.toFixed(2)} s\n`);
      }
    }
  }
  const first = setups[0];
  if (first !== undefined) {
    const longFirsts: number[] = [];
    const longAccepted: number[] = [];
    for (let run = 0; run < runs; run++) {
      const r = await runJob(first.farm, first.storageDir, longAudio, true);
      longFirsts.push(r.firstChunk);
      longAccepted.push(r.firstChunk - r.accepted);
      process.stderr.write(`${first.label}, ${longSeconds} s clip, run ${run + 1}: first chunk ${r.firstChunk.toFixed(2)} s (${r.breakdown})\n`);
    }
    firstChunkByLength = { label: first.label, short: median(first.firsts), long: median(longFirsts), shortAccepted: median(first.firstsAccepted), longAccepted: median(longAccepted) };
  }
} finally {
  for (const setup of setups) await setup.farm.stop();
}

await engine.close();
rmSync(work, { recursive: true, force: true });

const localMedian = median(local);
const clipFrames = seconds * options.fps;
/** Each run's `a` over the same run's `b`. */
const perRun = (a: readonly number[], b: readonly number[]): number[] => a.map((x, run) => x / b[run]!);
const range = (xs: number[]): string => `${Math.min(...xs).toFixed(2)} to ${Math.max(...xs).toFixed(2)}`;
const lines = [
  `Farm bench: ${seconds} s clip, 512x512, 25 fps, ${runs} run(s) each (medians; each run takes the setups in turn), pack: ${packNote}`,
  `  ${'setup'.padEnd(22)} ${'first chunk'.padStart(12)} ${'total'.padStart(9)} ${'x real time'.padStart(12)} ${'frames/s'.padStart(9)} ${'farm CPU'.padStart(9)}`,
  ...setups.map(
    (r) =>
      `  ${r.label.padEnd(22)} ${`${median(r.firsts).toFixed(2)} s`.padStart(12)} ${`${median(r.totals).toFixed(2)} s`.padStart(9)} ${(median(r.totals) / seconds).toFixed(2).padStart(12)} ${(clipFrames / median(r.totals)).toFixed(1).padStart(9)} ${`${median(r.cpus).toFixed(2)} s`.padStart(9)}`,
  ),
  `  ${'renderClip (loaded)'.padEnd(22)} ${'-'.padStart(12)} ${`${localMedian.toFixed(2)} s`.padStart(9)} ${(localMedian / seconds).toFixed(2).padStart(12)} ${(clipFrames / localMedian).toFixed(1).padStart(9)}`,
];
const one = setups[0];
if (one !== undefined) {
  const oneTotal = median(one.totals);
  lines.push(`  farm overhead (${one.label} - renderClip): ${(oneTotal - localMedian).toFixed(2)} s (${(((oneTotal - localMedian) / localMedian) * 100).toFixed(1)} %)`);
  // Run by run, since the machine's speed drifts between runs more than between the turns of one run.
  const speeds: Array<[string, number[]]> = [...setups.slice(1).map((s): [string, number[]] => [s.label, s.totals]), ['renderClip (loaded)', local]];
  for (const [label, totals] of speeds) {
    const xs = perRun(one.totals, totals);
    lines.push(`  ${label} against ${one.label}, run by run (speed: its total over this one's): median ${median(xs).toFixed(2)}x, ${range(xs)}x`);
  }
}
if (concurrent > 0) {
  lines.push(`  frames/s per machine, ${concurrent} clips submitted at once (makespan from the first submit to the last success):`);
  for (const s of setups) {
    // Against the first worker count's batch of the same run (its frames/s over the first's).
    const xs = perRun(s.batchFramesPerSecond, one!.batchFramesPerSecond);
    const against = s === one ? '' : `; ${median(xs).toFixed(2)}x ${one!.label}'s, run by run (${range(xs)}x)`;
    lines.push(`    ${s.label.padEnd(20)} median ${median(s.batchFramesPerSecond).toFixed(1)} frames/s (${range(s.batchFramesPerSecond)}), farm CPU per clip ${median(s.batchCpus).toFixed(2)} s${against}`);
  }
}
if (firstChunkByLength !== null) {
  const { label, short, long, shortAccepted, longAccepted } = firstChunkByLength;
  lines.push(`  first chunk by clip length (${label}), from the submit: ${seconds} s clip ${short.toFixed(2)} s, ${longSeconds} s clip ${long.toFixed(2)} s`);
  lines.push(`    from the job's acceptance (202, upload done): ${seconds} s clip ${shortAccepted.toFixed(2)} s, ${longSeconds} s clip ${longAccepted.toFixed(2)} s`);
}
// Each job's video carries its own watermark payload (derived from the job), so its bytes are not renderClip's here;
// test/e2e/farm-s3.test.ts renders the reference with the job's payload and compares them.
lines.push('  outputs: each job watermarked with its own payload (byte identity with renderClip: test/e2e/farm-s3.test.ts)');
process.stdout.write(`${lines.join('\n')}\n`);
