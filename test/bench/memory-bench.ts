// npm run bench:memory [-- --seconds 20,600 --pack models/starter --threads 2 --keep --worker]
// Peak resident memory of `portrait-farm render` (crop mode, 512x512, 25 fps) against the clip's length: for each
// length a speech clip (the 20 s fixture looped) is rendered by the real CLI as a child process, which is polled for
// its VmHWM (the kernel's peak RSS of that process; ffmpeg children are separate processes, reported beside it as
// the largest RSS seen among them). Prints one table row per length with the output's frame count.
// --worker: instead, what a farm worker adds to its memory to store (prepare step) and to load (segment steps) the
// prepared clip of each length and its audio samples, in a child process (clip-store-memory.ts).
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { memoryClipAudio } from '@portrait-farm/engine';
import { encodePreparedClip } from '@portrait-farm/job-steps';
import { decodeAudio } from '@portrait-farm/media';
import { STARTER_PACK } from '@portrait-farm/test-support/repo-models';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20,600' },
    pack: { type: 'string', default: STARTER_PACK },
    threads: { type: 'string', default: '2' },
    keep: { type: 'boolean', default: false },
    worker: { type: 'boolean', default: false },
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

/** The 20 s speech fixture looped to `seconds`. */
function speechClip(seconds: number): string {
  const audio = join(work, `speech-${seconds}s.ogg`);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-stream_loop', '-1', '-i', join(fixtures, 'demo-speech-20s.ogg'), '-t', String(seconds), '-c:a', 'copy', audio]);
  return audio;
}

async function measure(seconds: number): Promise<MemoryRow> {
  const audio = speechClip(seconds);
  const out = join(work, `render-${seconds}s.mp4`);
  const args = [cli, 'render', '--image', join(fixtures, 'astronaut.png'), '--audio', audio, '--out', out, '--force'];
  args.push('--pack', values.pack, '--mode', 'crop', '--fps', '25', '--render-threads', values.threads, '--json');
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // --json reports errors on stdout, as its last line.
  let output = '';
  const keepTail = (chunk: Buffer): void => void (output = (output + chunk.toString()).slice(-4000));
  child.stdout.on('data', keepTail);
  child.stderr.on('data', keepTail);
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
  if (code !== 0) throw new Error(`render of ${seconds} s exited with ${code}: ${output.trim().split('\n').at(-1) ?? ''}`);
  const frames = Number(execFileSync('ffprobe', ['-v', 'error', '-count_packets', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', out]).toString().trim());
  return { seconds, frames, wallSeconds: (performance.now() - started) / 1000, renderPeakMiB: renderPeakKiB / 1024, childPeakMiB: childPeakKiB / 1024, childPeakWhat };
}

interface StoreStep {
  mode: string;
  peak: number;
  after: number;
}

/**
 * A prepared clip at its real sizes (a 512x512 crop; the clip's 16 kHz samples in a file beside it, as the prepare
 * step leaves them) written where clip-store-memory.ts reads it, then storing and loading it measured each in its
 * own process.
 */
async function measureWorker(seconds: number): Promise<StoreStep[]> {
  const dir = join(work, `storage-${seconds}s`);
  mkdirSync(join(dir, 'work'), { recursive: true });
  const { samples, durationSeconds } = await decodeAudio(speechClip(seconds), { maxSeconds: 3600 });
  const clip = {
    fps: 25, audioSeconds: durationSeconds, motionFrames: Math.ceil(samples.length / 640), outputFrames: 0, audio: memoryClipAudio(samples), melPeak: 0,
    source: { image: { width: 512, height: 512, data: new Uint8Array(512 * 512 * 3) }, landmarks: new Float32Array(956) },
    neutral: new Float32Array(20), motion: { seed: 0, steps: null, solver: null, guidance: null, controls: {} }, segments: [],
  };
  writeFileSync(join(dir, 'clip.bin'), encodePreparedClip(clip as never));
  writeFileSync(join(dir, 'samples.f32'), new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength));
  const script = new URL('./clip-store-memory.ts', import.meta.url).pathname;
  const steps: StoreStep[] = [];
  for (const mode of ['idle', 'store', 'load']) {
    const output = execFileSync(process.execPath, [...process.execArgv, '--expose-gc', script, mode, dir]).toString();
    steps.push(JSON.parse(output.trim().split('\n').at(-1)!) as StoreStep);
  }
  return steps;
}

try {
  if (values.worker) {
    console.log('farm worker: peak RSS (MiB) above a bare process while it stores a prepared clip and its samples (prepare step) or loads the clip and reads every segment\'s stretch of samples (segment steps), filesystem storage');
    console.log('| clip | samples MiB | store | load + every segment\'s samples | held after load |');
    console.log('|---|---|---|---|---|');
    for (const seconds of lengths) {
      const steps = await measureWorker(seconds);
      const idle = steps.find((s) => s.mode === 'idle')!;
      const added = (mode: string): string => (steps.find((s) => s.mode === mode)!.peak - idle.peak).toFixed(0);
      const held = steps.find((s) => s.mode === 'load')!.after - idle.after;
      console.log(`| ${seconds} s | ${((seconds * 16000 * 4) / 1048576).toFixed(0)} | ${added('store')} | ${added('load')} | ${held.toFixed(0)} |`);
    }
  } else {
    console.log(`portrait-farm render, crop 512x512, 25 fps, ${values.threads} render threads, pack ${relative(process.cwd(), values.pack) || '.'}`);
    console.log('| clip | frames | wall s | render peak RSS MiB | largest child RSS MiB (its output) |');
    console.log('|---|---|---|---|---|');
    for (const seconds of lengths) {
      const row = await measure(seconds);
      console.log(`| ${row.seconds} s | ${row.frames} | ${row.wallSeconds.toFixed(1)} | ${row.renderPeakMiB.toFixed(0)} | ${row.childPeakMiB.toFixed(0)} (${row.childPeakWhat}) |`);
    }
  }
} finally {
  if (!values.keep) rmSync(work, { recursive: true, force: true });
}
