// npm run bench:memory [-- --seconds 20,600 --pack models/starter --threads 2 --keep]
// Peak resident memory of `portrait-farm render` (crop mode, 512x512, 25 fps) against the clip's length: for each
// length a speech clip (the 20 s fixture looped) is rendered by the real CLI as a child process, which is polled for
// its VmHWM (the kernel's peak RSS of that process; ffmpeg children are separate processes, reported beside it as
// the largest RSS seen among them). Prints one table row per length with the output's frame count.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { STARTER_PACK } from '@portrait-farm/test-support/repo-models';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20,600' },
    pack: { type: 'string', default: STARTER_PACK },
    threads: { type: 'string', default: '2' },
    keep: { type: 'boolean', default: false },
  },
});
const lengths = values.seconds.split(',').map(Number);
const work = mkdtempSync(join(tmpdir(), 'memory-bench-'));
const fixtures = new URL('../fixtures/', import.meta.url).pathname;
const cli = new URL('../../apps/cli/bin/portrait-farm.js', import.meta.url).pathname;
const POLL_MS = 200;

/** A status field of /proc/PID/status in KiB, or null once the process is gone. */
function statusKiB(pid: number, field: 'VmHWM' | 'VmRSS'): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? null : Number(match[1]);
  } catch {
    return null;
  }
}

/** Direct and indirect children of a process (ffmpeg encoders; the render threads live inside the process). */
function descendants(pid: number): number[] {
  const found: number[] = [];
  for (const task of safeReadDir(`/proc/${pid}/task`)) {
    for (const child of readFileSafe(`/proc/${pid}/task/${task}/children`).split(' ').filter(Boolean).map(Number)) {
      found.push(child, ...descendants(child));
    }
  }
  return found;
}
function safeReadDir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

interface MemoryRow {
  seconds: number;
  frames: number;
  wallSeconds: number;
  renderPeakMiB: number;
  childPeakMiB: number;
  /** What the child with the largest RSS was doing: its output file's name. */
  childPeakWhat: string;
}

/** A child's output, the last argument of an ffmpeg command line (a chunk, the sound track, the joined video). */
function childOutput(pid: number): string {
  const argv = readFileSafe(`/proc/${pid}/cmdline`).split('\0').filter(Boolean);
  const last = argv.at(-1) ?? '?';
  return `${argv[0]?.split('/').at(-1) ?? '?'} -> ${last.split('/').at(-1) ?? last}`;
}

async function measure(seconds: number): Promise<MemoryRow> {
  const audio = join(work, `speech-${seconds}s.ogg`);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-stream_loop', '-1', '-i', join(fixtures, 'demo-speech-20s.ogg'), '-t', String(seconds), '-c:a', 'copy', audio]);
  const out = join(work, `render-${seconds}s.mp4`);
  const args = [cli, 'render', '--image', join(fixtures, 'astronaut.png'), '--audio', audio, '--out', out, '--force'];
  args.push('--pack', values.pack, '--mode', 'crop', '--fps', '25', '--render-threads', values.threads, '--json');
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  let renderPeakKiB = 0;
  let childPeakKiB = 0;
  let childPeakWhat = '';
  const ownCommandLine = [process.execPath, ...args].join('\0') + '\0';
  const poll = setInterval(() => {
    renderPeakKiB = Math.max(renderPeakKiB, statusKiB(child.pid!, 'VmHWM') ?? 0);
    for (const pid of descendants(child.pid!)) {
      // A child caught between fork and exec still shows the render's command line and its shared pages.
      if (readFileSafe(`/proc/${pid}/cmdline`) === ownCommandLine) continue;
      const rss = statusKiB(pid, 'VmRSS') ?? 0;
      if (rss > childPeakKiB) [childPeakKiB, childPeakWhat] = [rss, childOutput(pid)];
    }
  }, POLL_MS);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
  clearInterval(poll);
  if (code !== 0) throw new Error(`render of ${seconds} s exited with ${code}: ${stderr}`);
  const frames = Number(execFileSync('ffprobe', ['-v', 'error', '-count_packets', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', out]).toString().trim());
  return { seconds, frames, wallSeconds: (performance.now() - started) / 1000, renderPeakMiB: renderPeakKiB / 1024, childPeakMiB: childPeakKiB / 1024, childPeakWhat };
}

console.log(`portrait-farm render, crop 512x512, 25 fps, ${values.threads} render threads, pack ${relative(process.cwd(), values.pack) || '.'}`);
console.log('| clip | frames | wall s | render peak RSS MiB | largest child RSS MiB (its output) |');
console.log('|---|---|---|---|---|');
try {
  for (const seconds of lengths) {
    const row = await measure(seconds);
    console.log(`| ${row.seconds} s | ${row.frames} | ${row.wallSeconds.toFixed(1)} | ${row.renderPeakMiB.toFixed(0)} | ${row.childPeakMiB.toFixed(0)} (${row.childPeakWhat}) |`);
  }
} finally {
  if (!values.keep) rmSync(work, { recursive: true, force: true });
}
