// npm run bench:encoder [-- --seconds 12 --rounds 3 --frames-dir DIR]
// H.264 settings by measured quality per bit and CPU: renders the astronaut portrait talking (crop and full
// framing, the engine's own frames and motion), then encodes the same frames with candidate x264 settings, the
// candidates taking turns round by round. For each: ffmpeg's CPU seconds per frame (median over rounds; wall
// beside it), bits per frame, and SSIM / PSNR against the frames converted to yuv420p as production converts them
// (the lossless reference, so only the codec's loss is measured). Then x264 threads for the choice, and what the
// RGB -> yuv420p conversion inside ffmpeg costs (the same encode fed pre-converted yuv420p).
// --frames-dir keeps the rendered frames there and reuses them on the next run.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createEngine, type OutputMode } from '@portrait-farm/engine';
import { defaultX264Choice, H264_SETTINGS, x264VideoArgs, type X264Choice, type X264Preset } from '@portrait-farm/media';
import { STARTER_PACK } from '@portrait-farm/test-support/repo-models';
import { qualityAgainst, runFfmpegMeasured, type Quality } from './ffmpeg-measure.ts';
import { renderTalkingFrames, type RawClip } from './talking-frames.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '12' },
    rounds: { type: 'string', default: '3' },
    'frames-dir': { type: 'string' },
    presets: { type: 'string', default: 'ultrafast,superfast,veryfast,faster' },
    crfs: { type: 'string', default: '16,18,20,22,24' },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const fps = 25;
const work = mkdtempSync(join(tmpdir(), 'encoder-bench-'));
const framesDir = values['frames-dir'] ?? work;
mkdirSync(framesDir, { recursive: true });
const fixtures = new URL('../fixtures/', import.meta.url).pathname;

interface BenchClip extends RawClip {
  name: string;
  /** The frames converted to yuv420p as production converts them: the reference for quality. */
  yuvPath: string;
}

/** The engine's frames of the astronaut talking, in `mode`, and their yuv420p reference. */
async function benchClip(engine: Awaited<ReturnType<typeof createEngine>> | null, mode: OutputMode): Promise<BenchClip> {
  const name = `astronaut-${mode}-${seconds}s`;
  const path = join(framesDir, `${name}.rgb`);
  const probeSize = 512 * 512 * 3;
  let clip: RawClip;
  if (existsSync(path) && statSync(path).size % probeSize === 0) {
    clip = { path, width: 512, height: 512, frames: statSync(path).size / probeSize };
  } else {
    if (engine === null) throw new Error('no engine');
    clip = await renderTalkingFrames(engine, {
      image: join(fixtures, 'astronaut.png'), mode, speech: join(fixtures, 'demo-speech-20s.ogg'), offsetSeconds: 0,
      seconds, seed: 1, fps, workDir: framesDir, name, packDir: STARTER_PACK,
    });
  }
  const yuvPath = join(framesDir, `${name}.yuv`);
  execFileSync('ffmpeg', [
    '-nostdin', '-v', 'error', '-y', ...rgbInput(clip),
    '-vf', `scale=out_color_matrix=${H264_SETTINGS.colorSpace}:out_range=tv,format=yuv420p`, '-f', 'rawvideo', yuvPath,
  ]);
  return { ...clip, name, yuvPath };
}

function rgbInput(clip: RawClip): string[] {
  return ['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${clip.width}x${clip.height}`, '-r', String(fps), '-i', clip.path];
}

function yuvInput(clip: BenchClip): string[] {
  return ['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${clip.width}x${clip.height}`, '-r', String(fps), '-i', clip.yuvPath];
}

/** Production's encoder arguments for `choice`; fed yuv420p they leave out the colour conversion. */
function encodeArgs(clip: BenchClip, choice: X264Choice, input: 'rgb24' | 'yuv420p', out: string): string[] {
  const video = x264VideoArgs(fps, choice);
  if (input === 'yuv420p') video.splice(video.indexOf('-vf'), 2);
  return ['-v', 'error', '-y', ...(input === 'rgb24' ? rgbInput(clip) : yuvInput(clip)), ...video, '-force_key_frames', '0', out];
}

const label = (c: X264Choice): string => `${c.preset} crf ${c.crf} bf ${c.bFrames} thr ${c.threads}${c.tune === null ? '' : ` tune ${c.tune}`}`;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Row {
  choice: X264Choice;
  input: 'rgb24' | 'yuv420p';
  clip: BenchClip;
  cpu: number[];
  wall: number[];
  bytes: number;
  quality: Quality | null;
}

/** Encodes every (choice, input, clip) once per round, in turns; quality from the first round's output. */
async function measure(cases: Array<{ choice: X264Choice; input: 'rgb24' | 'yuv420p' }>, clips: BenchClip[]): Promise<Row[]> {
  const rows: Row[] = cases.flatMap(({ choice, input }) => clips.map((clip) => ({ choice, input, clip, cpu: [], wall: [], bytes: 0, quality: null })));
  for (let round = 0; round < rounds; round++) {
    for (const [index, row] of rows.entries()) {
      const out = join(work, `${index}.mp4`);
      const cost = await runFfmpegMeasured(encodeArgs(row.clip, row.choice, row.input, out));
      row.cpu.push(cost.cpuSeconds);
      row.wall.push(cost.wallSeconds);
      const bytes = statSync(out).size;
      if (round > 0 && bytes !== row.bytes) throw new Error(`${label(row.choice)} gave ${bytes} bytes, ${row.bytes} before: not deterministic`);
      row.bytes = bytes;
      if (round === 0) row.quality = await qualityAgainst(out, { path: row.clip.yuvPath, width: row.clip.width, height: row.clip.height, fps });
      rmSync(out);
    }
  }
  return rows;
}

function printRows(title: string, rows: Row[]): void {
  console.log(`\n${title}`);
  console.log('| clip | settings | input | CPU ms/frame | wall ms/frame | frames per CPU-s | bits/frame | kbit/s | SSIM Y | SSIM All | PSNR Y dB |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const row of rows) {
    const cpu = median(row.cpu) / row.clip.frames;
    const q = row.quality!;
    console.log(`| ${row.clip.name} | ${label(row.choice)} | ${row.input} | ${(cpu * 1000).toFixed(2)} | ${((median(row.wall) / row.clip.frames) * 1000).toFixed(2)} | ${(1 / cpu).toFixed(0)} | ${((row.bytes * 8) / row.clip.frames).toFixed(0)} | ${((row.bytes * 8 * fps) / row.clip.frames / 1000).toFixed(0)} | ${q.ssimY.toFixed(5)} | ${q.ssimAll.toFixed(5)} | ${q.psnrY.toFixed(2)} |`);
  }
}

const SSIM_TOLERANCE = 0.0005;
const BITS_TOLERANCE = 1.05;
const same = (a: X264Choice, b: X264Choice): boolean => label(a) === label(b);

/**
 * The cheapest choice (CPU summed over the clips) whose SSIM Y and All are within SSIM_TOLERANCE of the baseline's
 * (or above) and whose bits are at most BITS_TOLERANCE times the baseline's, on every clip.
 */
function paretoChoice(rows: Row[], baseline: X264Choice): X264Choice {
  const choices = [...new Map(rows.map((r) => [label(r.choice), r.choice])).values()];
  const rowsOf = (c: X264Choice): Row[] => rows.filter((r) => same(r.choice, c));
  const base = rowsOf(baseline);
  const eligible = choices.filter((c) => rowsOf(c).every((r) => {
    const b = base.find((x) => x.clip.name === r.clip.name)!;
    return r.quality!.ssimY >= b.quality!.ssimY - SSIM_TOLERANCE && r.quality!.ssimAll >= b.quality!.ssimAll - SSIM_TOLERANCE && r.bytes <= b.bytes * BITS_TOLERANCE;
  }));
  const cpuOf = (c: X264Choice): number => rowsOf(c).reduce((sum, r) => sum + median(r.cpu) / r.clip.frames, 0);
  return eligible.sort((a, b) => cpuOf(a) - cpuOf(b))[0]!;
}

const needsRender = ['crop', 'full'].some((mode) => !existsSync(join(framesDir, `astronaut-${mode}-${seconds}s.rgb`)));
const engine = needsRender ? await createEngine({ pack: STARTER_PACK, providers: ['cpu'] }) : null;
const clips = [await benchClip(engine, 'crop'), await benchClip(engine, 'full')];
await engine?.close();
console.log(`encoder benchmark: ${clips.map((c) => `${c.name} ${c.frames} frames ${c.width}x${c.height}`).join(', ')}, ${fps} fps, ${rounds} rounds (medians), CPU of the ffmpeg process`);

const baseline = defaultX264Choice();
const presets = values.presets.split(',') as X264Preset[];
const crfs = values.crfs.split(',').map(Number);
const grid: X264Choice[] = presets.flatMap((preset) => crfs.flatMap((crf) => [0, 2].map((bFrames) => ({ ...baseline, preset, crf, bFrames }))));
const tuned: X264Choice[] = ['film', 'animation', 'stillimage'].flatMap((tune) => (['superfast', 'veryfast'] as const).map((preset) => ({ ...baseline, preset, tune })));
if (!grid.some((c) => same(c, baseline))) grid.push(baseline);
const gridRows = await measure([...grid, ...tuned].map((choice) => ({ choice, input: 'rgb24' as const })), clips);
printRows(`1. presets x crf x B-frames (x264 threads ${baseline.threads}), and tunes; SSIM tolerance ${SSIM_TOLERANCE}, bits at most x${BITS_TOLERANCE} of the baseline`, gridRows);
const chosen = paretoChoice(gridRows, baseline);
console.log(`\nbaseline: ${label(baseline)}; cheapest within the tolerances: ${label(chosen)}`);

const threadCases = [1, 2, 4].flatMap((threads) => [baseline, chosen].map((c) => ({ ...c, threads })));
const threadRows = await measure(threadCases.map((choice) => ({ choice, input: 'rgb24' as const })), clips);
printRows('2. x264 threads', threadRows);

const conversionRows = await measure(
  threadCases.filter((c) => c.threads === 1 || c.threads === baseline.threads).flatMap((choice) => [{ choice, input: 'rgb24' as const }, { choice, input: 'yuv420p' as const }]),
  clips,
);
printRows('3. colour conversion: RGB24 in (ffmpeg converts) against yuv420p in (converted before)', conversionRows);
rmSync(work, { recursive: true, force: true });
