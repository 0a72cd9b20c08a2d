// npm run bench:farm [-- --runs 3 --seconds 30 --long 300 --pack models/starter --workers 1,2]
// For one clip of --seconds (astronaut.png, demo speech looped, 25 fps, full framing): the farm's time to the first
// chunk and total time (submit -> succeeded) with each worker count, as real processes (gateway, Redis, workers,
// stitcher, filesystem storage), and renderClip of the same clip in this process with its models already loaded, run after each farm run of the first
// worker count so both see the same machine load;
// the farm's overhead is its total with one worker minus renderClip. Then, with the first worker count, the time to
// the first chunk of a clip of --long seconds (the job canceled once its first chunk exists), to show it does not
// grow with the clip's length (from the submit, and from the 202 that accepts the job once the upload is done);
// each first-chunk run prints where the time went (upload, queue, prepare's stages).
// Medians over --runs, after a warm-up job. Each farm row gives frames/s (the clip's frames over its total) and the CPU
// seconds the farm's processes used for the job (Linux /proc). The workers size their threads to their share of the
// machine's cores (PORTRAIT_FARM_WORKER_CORES); PORTRAIT_FARM_RENDER_THREADS in this environment overrides it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { createEngine, renderClipWith, resolveRenderOptions } from '@portrait-farm/engine';
import { startLocalFarm } from 'portrait-farm/local-farm';
import type { LocalFarm } from 'portrait-farm/local-farm';
import { writeEngineTestPack } from '@portrait-farm/test-support/engine-test-pack';
import { STARTER_PACK } from '@portrait-farm/test-support/repo-models';
import { processCpuSeconds } from './process-cpu-seconds.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '30' },
    long: { type: 'string', default: '300' },
    pack: { type: 'string' },
    workers: { type: 'string', default: '1,2' },
  },
});
const runs = Number(values.runs);
const seconds = Number(values.seconds);
const longSeconds = Number(values.long);
const workerCounts = values.workers.split(',').map(Number);
const work = mkdtempSync(join(tmpdir(), 'farm-bench-'));
const fixtures = new URL('../fixtures/', import.meta.url).pathname;
const options = { fps: 25, mode: 'full' as const, seed: 3 };

let pack = values.pack ?? process.env['PORTRAIT_FARM_PACK'] ?? STARTER_PACK;
let packNote = pack;
if (!existsSync(join(pack, 'manifest.json'))) {
  pack = join(work, 'pack');
  writeEngineTestPack(pack);
  packNote = 'engine test pack (test denoiser, real audio and face models; models/starter not present)';
}
const image = join(fixtures, 'astronaut.png');
function loopedSpeech(name: string, length: number): string {
  const path = join(work, name);
  execFileSync('ffmpeg', ['-v', 'error', '-stream_loop', '-1', '-i', join(fixtures, 'demo-speech-20s.ogg'), '-t', String(length), '-ac', '1', '-ar', '44100', path]);
  return path;
}
const audio = loopedSpeech('speech.wav', seconds);
const longAudio = loopedSpeech('speech-long.wav', longSeconds);
const warmAudio = join(fixtures, 'speech-3s.wav');

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface JobView {
  status: string;
  timings: { queuedSeconds: number | null; preparingSeconds: number | null; work: Record<string, number> };
}

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
  const form = new FormData();
  form.append('consent', JSON.stringify({ attestation: true }));
  form.append('options', JSON.stringify(options));
  form.append('image', new Blob([readFileSync(image)]), 'astronaut.png');
  form.append('audio', new Blob([readFileSync(audioPath)]), 'speech.wav');
  const auth = { authorization: `Bearer ${farm.apiKey}` };
  const start = performance.now();
  const response = await fetch(`${farm.apiUrl}/v1/jobs`, { method: 'POST', body: form, headers: auth });
  if (response.status !== 202) throw new Error(`POST /v1/jobs with ${basename(audioPath)}: HTTP ${response.status} ${await response.text()}`);
  const created = (await response.json()) as { id: string };
  const submitted = (performance.now() - start) / 1000;
  const firstChunkFile = join(storageDir, 'jobs', created.id, 'chunks', '00000.ts');
  // The gateway allows 600 requests a minute per tenant: the chunk file is polled often, the job every 150 ms.
  const view = async (): Promise<JobView> => {
    for (;;) {
      const response = await fetch(`${farm.apiUrl}/v1/jobs/${created.id}`, { headers: auth });
      if (response.ok) return (await response.json()) as JobView;
      if (response.status !== 429) throw new Error(`GET job ${created.id}: HTTP ${response.status}`);
      await sleep(1000);
    }
  };
  let firstChunk = NaN;
  let breakdown = '';
  let viewedAt = -Infinity;
  for (;;) {
    if (Number.isNaN(firstChunk) && existsSync(firstChunkFile)) {
      firstChunk = (performance.now() - start) / 1000;
      const { timings } = await view();
      const work = Object.entries(timings.work).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ');
      breakdown = `submit (upload) ${submitted.toFixed(2)} s, queued ${timings.queuedSeconds?.toFixed(2)} s, preparing ${timings.preparingSeconds?.toFixed(2)} s; work so far: ${work}`;
      if (firstChunkOnly) {
        await fetch(`${farm.apiUrl}/v1/jobs/${created.id}/cancel`, { method: 'POST', headers: auth });
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
    const job = await view();
    if (job.status === 'succeeded') return { firstChunk, accepted: submitted, total: (performance.now() - start) / 1000, breakdown };
    if (job.status === 'failed' || job.status === 'canceled') throw new Error(`bench job ${created.id} ${job.status}`);
  }
}

const results: Array<{ label: string; firstChunk: number; total: number; cpu: number }> = [];
/** CPU seconds of the farm's processes so far by role (workers, stitcher, gateway, its Redis; ffmpeg that exited included). */
function farmCpuByRole(farm: LocalFarm): Record<'workers' | 'stitcher' | 'gateway' | 'redis', number> {
  const cpu = (processes: ReadonlyArray<{ pid: number | null } | null | undefined>): number => processCpuSeconds(processes.map((p) => p?.pid ?? null));
  return { workers: cpu(farm.workers), stitcher: cpu([farm.stitcher]), gateway: cpu([farm.gateway]), redis: cpu([farm.redis]) };
}
const sumOf = (parts: Record<string, number>): number => Object.values(parts).reduce((a, b) => a + b, 0);
const partsSince = (now: Record<string, number>, before: Record<string, number>): string =>
  Object.entries(now).map(([role, seconds]) => `${role} ${(seconds - (before[role] ?? 0)).toFixed(2)}`).join(', ');
let firstChunkByLength: { label: string; short: number; long: number; shortAccepted: number; longAccepted: number } | null = null;
const engine = await createEngine({ pack, providers: ['cpu'] });
const local: number[] = [];
/** renderClip in this process, run right after each farm run of the first worker count (same machine load). */
async function renderLocal(run: number): Promise<void> {
  const out = join(work, 'local.mp4');
  const start = performance.now();
  const cpuBefore = processCpuSeconds([process.pid]);
  await renderClipWith(engine, resolveRenderOptions({ image, audio, out, pack, ...options }));
  local.push((performance.now() - start) / 1000);
  process.stderr.write(`renderClip, run ${run + 1}: ${local.at(-1)!.toFixed(2)} s, CPU ${(processCpuSeconds([process.pid]) - cpuBefore).toFixed(2)} s\n`);
}
for (const workers of workerCounts) {
  const storageDir = join(work, `storage-${workers}`);
  const farm = await startLocalFarm({ workers, port: 0, dataDir: join(work, `farm-${workers}`), storageUrl: storageDir, packDir: pack, env: { PORTRAIT_FARM_PROVIDERS: 'cpu' } });
  try {
    await runJob(farm, storageDir, warmAudio);
    const firsts: number[] = [];
    const firstsAccepted: number[] = [];
    const totals: number[] = [];
    const cpus: number[] = [];
    for (let run = 0; run < runs; run++) {
      const cpuBefore = farmCpuByRole(farm);
      const r = await runJob(farm, storageDir, audio);
      const cpuAfter = farmCpuByRole(farm);
      cpus.push(sumOf(cpuAfter) - sumOf(cpuBefore));
      firsts.push(r.firstChunk);
      firstsAccepted.push(r.firstChunk - r.accepted);
      totals.push(r.total);
      process.stderr.write(`farm, ${workers} worker(s), run ${run + 1}: first chunk ${r.firstChunk.toFixed(2)} s (${r.breakdown}), total ${r.total.toFixed(2)} s, farm CPU ${cpus.at(-1)!.toFixed(2)} s (${partsSince(cpuAfter, cpuBefore)})\n`);
      if (workers === workerCounts[0]) await renderLocal(run);
    }
    results.push({ label: `farm, ${workers} worker${workers === 1 ? '' : 's'}`, firstChunk: median(firsts), total: median(totals), cpu: median(cpus) });
    if (workers === workerCounts[0]) {
      const longFirsts: number[] = [];
      const longAccepted: number[] = [];
      for (let run = 0; run < runs; run++) {
        const r = await runJob(farm, storageDir, longAudio, true);
        longFirsts.push(r.firstChunk);
        longAccepted.push(r.firstChunk - r.accepted);
        process.stderr.write(`farm, ${workers} worker(s), ${longSeconds} s clip, run ${run + 1}: first chunk ${r.firstChunk.toFixed(2)} s (${r.breakdown})\n`);
      }
      firstChunkByLength = {
        label: `farm, ${workers} worker${workers === 1 ? '' : 's'}`,
        short: median(firsts),
        long: median(longFirsts),
        shortAccepted: median(firstsAccepted),
        longAccepted: median(longAccepted),
      };
    }
  } finally {
    await farm.stop();
  }
}

await engine.close();
rmSync(work, { recursive: true, force: true });

const localMedian = median(local);
const clipFrames = seconds * options.fps;
const lines = [
  `Farm bench: ${seconds} s clip, 512x512, 25 fps, ${runs} run(s) each (medians), pack: ${packNote}`,
  `  ${'setup'.padEnd(22)} ${'first chunk'.padStart(12)} ${'total'.padStart(9)} ${'x real time'.padStart(12)} ${'frames/s'.padStart(9)} ${'farm CPU'.padStart(9)}`,
  ...results.map(
    (r) =>
      `  ${r.label.padEnd(22)} ${`${r.firstChunk.toFixed(2)} s`.padStart(12)} ${`${r.total.toFixed(2)} s`.padStart(9)} ${(r.total / seconds).toFixed(2).padStart(12)} ${(clipFrames / r.total).toFixed(1).padStart(9)} ${`${r.cpu.toFixed(2)} s`.padStart(9)}`,
  ),
  `  ${'renderClip (loaded)'.padEnd(22)} ${'-'.padStart(12)} ${`${localMedian.toFixed(2)} s`.padStart(9)} ${(localMedian / seconds).toFixed(2).padStart(12)} ${(clipFrames / localMedian).toFixed(1).padStart(9)}`,
];
const one = results[0];
if (one !== undefined) lines.push(`  farm overhead (${one.label} - renderClip): ${(one.total - localMedian).toFixed(2)} s (${(((one.total - localMedian) / localMedian) * 100).toFixed(1)} %)`);
if (firstChunkByLength !== null) {
  const { label, short, long, shortAccepted, longAccepted } = firstChunkByLength;
  lines.push(`  first chunk by clip length (${label}), from the submit: ${seconds} s clip ${short.toFixed(2)} s, ${longSeconds} s clip ${long.toFixed(2)} s`);
  lines.push(`    from the job's acceptance (202, upload done): ${seconds} s clip ${shortAccepted.toFixed(2)} s, ${longSeconds} s clip ${longAccepted.toFixed(2)} s`);
}
// Each job's video carries its own watermark payload (derived from the job), so its bytes are not renderClip's here;
// test/e2e/farm-s3.test.ts renders the reference with the job's payload and compares them.
lines.push('  outputs: each job watermarked with its own payload (byte identity with renderClip: test/e2e/farm-s3.test.ts)');
process.stdout.write(`${lines.join('\n')}\n`);
