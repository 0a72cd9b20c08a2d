// npm run bench:farm-first-job [-- --farms 6 --jobs 3 --seconds 10 --workers 1 --pack models/starter]
// A fresh farm's first job against its later ones, with the workers' warm-up (PORTRAIT_FARM_WARM_UP) on and off:
// --farms local farms started one after another (real processes, as bench:farm), the warm-up on and off in turn (the
// order of each pair alternated, since the machine's speed drifts), each running --jobs jobs of a --seconds clip
// (astronaut.png, the demo speech looped, 25 fps, full framing) one after another once its workers are ready (with the
// warm-up: warmed up, the case of a worker started before work comes). For each farm:
// every job's first chunk (from the submit; the chunk file appearing in storage) and upload (the 202), and how much
// later the first job's first chunk came than the median of the later jobs'; then that excess's median with the
// warm-up on and off, and the workers' logged warm-up time.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalFarm } from 'portrait-farm/local-farm';
import type { LocalFarm } from 'portrait-farm/local-farm';
import { benchPack, farmJobSucceeded, loopedSpeech, submitFarmJob, viewFarmJob } from './bench-inputs.ts';

const { values } = parseArgs({
  options: {
    farms: { type: 'string', default: '6' },
    jobs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '10' },
    workers: { type: 'string', default: '1' },
    pack: { type: 'string' },
  },
});
const pack = benchPack(values.pack);
const jobCount = Number(values.jobs);
if (!(jobCount >= 2)) throw new Error('--jobs must be 2 or more: the first job is compared with the later ones.');
const work = mkdtempSync(join(tmpdir(), 'farm-first-job-'));
const audio = loopedSpeech(Number(values.seconds), join(work, 'speech.wav'));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Submits a job and waits for it to succeed: seconds from the submit to its first chunk and to its 202. */
async function runJob(farm: LocalFarm, storageDir: string): Promise<{ firstChunk: number; accepted: number }> {
  const { id, sentAt, acceptedSeconds } = await submitFarmJob(farm, audio);
  const firstChunkFile = join(storageDir, 'jobs', id, 'chunks', '00000.ts');
  let firstChunk = NaN;
  for (;;) {
    if (Number.isNaN(firstChunk) && existsSync(firstChunkFile)) firstChunk = (Date.now() - sentAt) / 1000;
    if (farmJobSucceeded(await viewFarmJob(farm, id), id)) return { firstChunk, accepted: acceptedSeconds };
    await sleep(Number.isNaN(firstChunk) ? 10 : 100);
  }
}

/** The warm-up times the farm's workers logged ("warmed up"), in seconds. */
function warmUpSeconds(farm: LocalFarm): number[] {
  const seconds: number[] = [];
  for (const file of readdirSync(farm.logDir).filter((f) => f.startsWith('worker-'))) {
    for (const line of readFileSync(join(farm.logDir, file), 'utf8').split('\n')) {
      if (line.includes('"warmed up"')) seconds.push((JSON.parse(line) as { durationMs: number }).durationMs / 1000);
    }
  }
  return seconds;
}

const excess: Record<'on' | 'off', number[]> = { on: [], off: [] };
const warmUps: number[] = [];
try {
  for (let i = 0; i < Number(values.farms); i++) {
    const warm = (i % 2 === 0) === (Math.floor(i / 2) % 2 === 0) ? 'on' : 'off';
    const storageDir = join(work, `storage-${i}`);
    const farm = await startLocalFarm({
      workers: Number(values.workers),
      port: 0,
      dataDir: join(work, `farm-${i}`),
      storageUrl: storageDir,
      packDir: pack,
      env: { PORTRAIT_FARM_PROVIDERS: 'cpu', PORTRAIT_FARM_WARM_UP: warm === 'on' ? '1' : '0' },
    });
    try {
      // A worker warms up while idle, once it is ready: wait for each one's `warmed up` line (or `ready`, without).
      const line = warm === 'on' ? '"msg":"warmed up"' : '"msg":"ready"';
      const workerLogs = (): string[] => readdirSync(farm.logDir).filter((f) => f.startsWith('worker-'));
      while (workerLogs().length < Number(values.workers) || !workerLogs().every((f) => readFileSync(join(farm.logDir, f), 'utf8').includes(line))) await sleep(100);
      const jobs = [];
      for (let j = 0; j < jobCount; j++) jobs.push(await runJob(farm, storageDir));
      const later = median(jobs.slice(1).map((j) => j.firstChunk));
      excess[warm].push(jobs[0]!.firstChunk - later);
      warmUps.push(...warmUpSeconds(farm));
      const list = jobs.map((j) => `${j.firstChunk.toFixed(2)} s (upload ${j.accepted.toFixed(2)} s)`).join(', ');
      process.stdout.write(`farm ${i + 1}, warm-up ${warm}: first chunk of each job ${list}; the first job's ${(jobs[0]!.firstChunk - later).toFixed(2)} s later than the others' median\n`);
    } finally {
      await farm.stop();
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const summary = (xs: number[]): string => (xs.length === 0 ? 'no farm' : `median ${median(xs).toFixed(2)} s (${Math.min(...xs).toFixed(2)} to ${Math.max(...xs).toFixed(2)}, ${xs.length} farms)`);
process.stdout.write(`the first job's first chunk, later than the later jobs' median: warm-up on ${summary(excess.on)}; off ${summary(excess.off)}\n`);
if (warmUps.length > 0) process.stdout.write(`warm-up at each worker's start: ${warmUps.map((s) => s.toFixed(2)).join(', ')} s\n`);
