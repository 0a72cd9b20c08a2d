// npm run bench:farm-timeline [-- --workers 2 --jobs 3 --seconds 30 --pack models/starter]
// Where a farm job's time goes, step by step and worker by worker: a local farm of --workers (real processes, as
// bench:farm; warmed up by a short job and one of the clip), then --jobs jobs of a --seconds clip (astronaut.png, the
// demo speech looped, 25 fps, full framing) one after another. For each job, from the workers' and the stitcher's
// log lines: each step's worker and its start and end in seconds after the submit (a step's start is its end less its
// logged duration; prepare includes segment 0, which it runs), and for each worker the seconds in which it ran no
// step of the job between the job's first step and its last chunk: what a second worker could not take over.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalFarm } from 'portrait-farm/local-farm';
import type { LocalFarm } from 'portrait-farm/local-farm';
import { BENCH_FIXTURES, benchPack, farmJobSucceeded, loopedSpeech, submitFarmJob, viewFarmJob } from './bench-inputs.ts';

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '2' },
    jobs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '30' },
    pack: { type: 'string' },
  },
});
const pack = benchPack(values.pack);
const work = mkdtempSync(join(tmpdir(), 'farm-timeline-'));
const audio = loopedSpeech(Number(values.seconds), join(work, 'speech.wav'));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Submits a job and waits for it to succeed; its id and submit time (ms since the epoch, as the log lines). */
async function runJob(farm: LocalFarm, audioPath: string): Promise<{ id: string; submittedAt: number; total: number }> {
  const { id, sentAt: submittedAt } = await submitFarmJob(farm, audioPath);
  for (;;) {
    if (farmJobSucceeded(await viewFarmJob(farm, id), id)) return { id, submittedAt, total: (Date.now() - submittedAt) / 1000 };
    await sleep(100);
  }
}

interface LogLine {
  file: string;
  time: number;
  jobId?: string;
  msg?: string;
  queue?: string;
  segment?: number;
  durationMs?: number;
}

function logLines(logDir: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const file of readdirSync(logDir)) {
    for (const text of readFileSync(join(logDir, file), 'utf8').split('\n')) {
      if (!text.startsWith('{')) continue;
      const line = JSON.parse(text) as Omit<LogLine, 'time' | 'file'> & { time: string };
      lines.push({ ...line, file: file.replace(/\.log$/, ''), time: Date.parse(line.time) });
    }
  }
  return lines;
}

const farm = await startLocalFarm({ workers: Number(values.workers), port: 0, dataDir: join(work, 'farm'), storageUrl: join(work, 'storage'), packDir: pack, env: { PORTRAIT_FARM_PROVIDERS: 'cpu' } });
const jobs: Array<{ id: string; submittedAt: number; total: number }> = [];
try {
  await runJob(farm, join(BENCH_FIXTURES, 'speech-3s.wav'));
  await runJob(farm, audio);
  for (let i = 0; i < Number(values.jobs); i++) jobs.push(await runJob(farm, audio));
  await sleep(500); // the last log lines reach their files
} finally {
  await farm.stop();
}

const lines = logLines(farm.logDir);
const seconds = (ms: number): string => (ms / 1000).toFixed(2).padStart(6);
for (const job of jobs) {
  const mine = lines.filter((l) => l.jobId === job.id);
  const steps = mine
    .filter((l) => l.durationMs !== undefined && /^(prepare|segment|audio|stitch) step /.test(l.msg ?? ''))
    .map((l) => ({ name: l.queue === 'segment' ? `segment ${l.segment}` : `${l.queue}${l.queue === 'prepare' ? ' + segment 0' : ''}`, worker: l.file, start: l.time - l.durationMs! - job.submittedAt, end: l.time - job.submittedAt }))
    .sort((a, b) => a.start - b.start);
  process.stdout.write(`job ${job.id}: ${job.total.toFixed(2)} s from the submit to the client seeing it succeed\n`);
  for (const s of steps) process.stdout.write(`  ${s.name.padEnd(20)} ${s.worker.padEnd(10)} ${seconds(s.start)} -> ${seconds(s.end)} s\n`);
  const rendering = steps.filter((s) => s.worker.startsWith('worker-'));
  const first = Math.min(...rendering.map((s) => s.start));
  const last = Math.max(...rendering.map((s) => s.end));
  const idle = [...new Set(rendering.map((s) => s.worker))].sort().map((worker) => {
    let busyUntil = first;
    let idleMs = 0;
    for (const s of rendering.filter((r) => r.worker === worker)) {
      idleMs += Math.max(0, s.start - busyUntil);
      busyUntil = Math.max(busyUntil, s.end);
    }
    return `${worker} ${((idleMs + (last - busyUntil)) / 1000).toFixed(2)} s (${((last - busyUntil) / 1000).toFixed(2)} s of it at the end)`;
  });
  process.stdout.write(`  idle between the first step (${(first / 1000).toFixed(2)} s) and the last chunk (${(last / 1000).toFixed(2)} s): ${idle.join(', ')}\n`);
}
rmSync(work, { recursive: true, force: true });
