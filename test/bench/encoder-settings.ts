// npm run bench:encoder [-- --seconds 12 --rounds 3 --frames-dir DIR]
// H.264 settings by measured quality per bit and CPU: renders the astronaut portrait talking (crop and full
// framing, the engine's own frames and motion), then encodes the same frames with candidate x264 settings, the
// candidates taking turns round by round. For each: ffmpeg's CPU seconds per frame (median over rounds; wall
// beside it), bits per frame, and SSIM / PSNR against the frames converted to yuv420p as production converts them
// (the lossless reference, so only the codec's loss is measured). Then x264 threads for the choice, and what the
// RGB -> yuv420p conversion inside ffmpeg costs (the same encode fed pre-converted yuv420p).
// --frames-dir keeps the rendered frames there and reuses them on the next run.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createEngine, type OutputMode } from '@portrait-farm/engine';
import { createVideoEncoder, createYuv420Converter, defaultX264Choice, H264_SETTINGS, rgbToYuv420, type ColourConversion, x264VideoArgs, yuv420FrameBytes, type X264Choice, type X264Preset } from '@portrait-farm/media';
import { STARTER_PACK } from '@portrait-farm/test-support/repo-models';
import { exitedChildrenCpuSeconds, qualityAgainst, rgbQualityAgainst, runFfmpegMeasured, type Quality, type RgbQuality } from './ffmpeg-measure.ts';
import { renderTalkingFrames, type RawClip } from './talking-frames.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '12' },
    rounds: { type: 'string', default: '3' },
    'frames-dir': { type: 'string' },
    presets: { type: 'string', default: 'ultrafast,superfast,veryfast,faster' },
    crfs: { type: 'string', default: '18,20,22,24' },
    /** preset,crf,bFrames,threads[,x264 options]: skip the search (parts 1 and 2) and measure the rest for it. */
    choice: { type: 'string' },
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
  const described = join(framesDir, `${name}.json`);
  let clip: RawClip;
  if (existsSync(path) && existsSync(described)) {
    clip = JSON.parse(readFileSync(described, 'utf8')) as RawClip;
  } else {
    if (engine === null) throw new Error(`${name}: frames not rendered yet and no engine to render them`);
    clip = await renderTalkingFrames(engine, {
      image: join(fixtures, 'astronaut.png'), mode, speech: join(fixtures, 'demo-speech-20s.ogg'), offsetSeconds: 0,
      seconds, seed: 1, fps, workDir: framesDir, name, packDir: STARTER_PACK,
    });
    writeFileSync(described, JSON.stringify(clip));
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

const label = (c: X264Choice): string => `${c.preset} crf ${c.crf} bf ${c.bFrames} thr ${c.threads}${c.tune === null ? '' : ` tune ${c.tune}`}${c.tuning === '' ? '' : ` ${c.tuning}`}`;
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
/** Below this CPU saving (summed over the clips) a choice is within the noise of a shared machine: keep the baseline. */
const MIN_CPU_SAVING = 0.05;
const same = (a: X264Choice, b: X264Choice): boolean => label(a) === label(b);

/**
 * The cheapest choice (CPU summed over the clips) whose SSIM Y and All are within SSIM_TOLERANCE of the baseline's
 * (or above) and whose bits are at most BITS_TOLERANCE times the baseline's, on every clip, if it saves more than
 * MIN_CPU_SAVING; else the baseline.
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
  const cheapest = eligible.sort((a, b) => cpuOf(a) - cpuOf(b))[0]!;
  return cpuOf(cheapest) < cpuOf(baseline) * (1 - MIN_CPU_SAVING) ? cheapest : baseline;
}

const needsRender = ['crop', 'full'].some((mode) => !existsSync(join(framesDir, `astronaut-${mode}-${seconds}s.json`)));
const engine = needsRender ? await createEngine({ pack: STARTER_PACK, providers: ['cpu'] }) : null;
const clips = [await benchClip(engine, 'crop'), await benchClip(engine, 'full')];
await engine?.close();
console.log(`encoder benchmark: ${clips.map((c) => `${c.name} ${c.frames} frames ${c.width}x${c.height}`).join(', ')}, ${fps} fps, ${rounds} rounds (medians), CPU of the ffmpeg process`);

/** The settings before issue 17's encoder work: every comparison is against them. */
const baseline: X264Choice = { preset: 'veryfast', crf: 20, bFrames: 2, threads: 4, tune: null, tuning: '' };
/** What production uses now (H264_SETTINGS). */
const production = defaultX264Choice();
let chosen: X264Choice;
if (values.choice === undefined) {
  const presets = values.presets.split(',') as X264Preset[];
  const crfs = values.crfs.split(',').map(Number);
  const grid: X264Choice[] = presets.flatMap((preset) => crfs.flatMap((crf) => [0, 2].map((bFrames) => ({ ...baseline, preset, crf, bFrames }))));
  const tuned: X264Choice[] = ['film', 'animation', 'stillimage'].flatMap((tune) => (['superfast', 'veryfast'] as const).map((preset) => ({ ...baseline, preset, tune })));
  // x264 options over veryfast's that trade little quality per bit for CPU (tried one by one first): sub-pixel
  // refinement 1 instead of 2, a third B-frame, no weighted P prediction.
  const options: X264Choice[] = [
    { ...baseline, tuning: 'subme=1' },
    { ...baseline, tuning: 'subme=1', crf: 20.5 },
    { ...baseline, tuning: 'subme=1', crf: 21 },
    { ...baseline, tuning: 'subme=1', bFrames: 3 },
    { ...baseline, tuning: 'subme=1:weightp=0', bFrames: 3 },
    { ...baseline, tuning: 'weightp=0' },
    { ...baseline, bFrames: 3 },
  ];
  grid.push(...options);
  for (const c of [baseline, production]) if (!grid.some((g) => same(g, c))) grid.push(c);
  const gridRows = await measure([...grid, ...tuned].map((choice) => ({ choice, input: 'rgb24' as const })), clips);
  printRows(`1. presets x crf x B-frames (x264 threads ${baseline.threads}), and tunes; SSIM tolerance ${SSIM_TOLERANCE}, bits at most x${BITS_TOLERANCE} of the baseline, CPU saving over ${MIN_CPU_SAVING * 100} %`, gridRows);
  chosen = paretoChoice(gridRows, baseline);
  console.log(`\nbaseline (before): ${label(baseline)}; cheapest within the tolerances: ${label(chosen)}; production now: ${label(production)}`);
  const threadCases = [1, 2, 4].flatMap((threads) => [baseline, chosen].filter((c, i) => i === 0 || !same(c, baseline)).map((c) => ({ ...c, threads })));
  const threadRows = await measure(threadCases.map((choice) => ({ choice, input: 'rgb24' as const })), clips);
  printRows('2. x264 threads', threadRows);
} else {
  const [preset, crf, bFrames, threads, tuning] = values.choice.split(',');
  chosen = { preset: preset as X264Preset, crf: Number(crf), bFrames: Number(bFrames), threads: Number(threads), tune: null, tuning: tuning ?? '' };
}

/** One clip's conversion compared: ffmpeg converting RGB24 in the encode, or rgbToYuv420 before it. */
interface ConversionRow {
  clip: BenchClip;
  choice: X264Choice;
  ffmpegEncodeCpu: number[];
  jsConvertCpu: number[];
  /** The WebAssembly SIMD kernel (createYuv420Converter, as the render threads run it): the same bytes as rgbToYuv420. */
  simdConvertCpu: number[];
  yuvEncodeCpu: number[];
  bytes: { ffmpeg: number; js: number };
  quality: { ffmpegRaw: RgbQuality; jsRaw: RgbQuality; ffmpegEncoded: RgbQuality; jsEncoded: RgbQuality } | null;
}

async function measureConversion(choices: X264Choice[]): Promise<ConversionRow[]> {
  const rows: ConversionRow[] = choices.flatMap((choice) => clips.map((clip) => ({
    clip, choice, ffmpegEncodeCpu: [], jsConvertCpu: [], simdConvertCpu: [], yuvEncodeCpu: [], bytes: { ffmpeg: 0, js: 0 }, quality: null,
  })));
  const rgbOf = new Map(clips.map((clip) => [clip.name, readFileSync(clip.path)]));
  for (let round = 0; round < rounds; round++) {
    for (const row of rows) {
      const { clip } = row;
      const rgbOut = join(work, 'rgb-in.mp4');
      row.ffmpegEncodeCpu.push((await runFfmpegMeasured(encodeArgs(clip, row.choice, 'rgb24', rgbOut))).cpuSeconds);
      const rgb = rgbOf.get(clip.name)!;
      const frameBytes = clip.width * clip.height * 3;
      const yuvBytes = yuv420FrameBytes(clip.width, clip.height);
      const yuv = new Uint8Array(yuvBytes * clip.frames);
      const cpuStart = process.cpuUsage();
      for (let i = 0; i < clip.frames; i++) {
        rgbToYuv420(rgb.subarray(i * frameBytes, (i + 1) * frameBytes), clip.width, clip.height, yuv.subarray(i * yuvBytes, (i + 1) * yuvBytes));
      }
      const cpu = process.cpuUsage(cpuStart);
      row.jsConvertCpu.push((cpu.user + cpu.system) / 1e6);
      const converter = createYuv420Converter(clip.width, clip.height);
      const simdYuv = new Uint8Array(yuvBytes * clip.frames);
      const simdStart = process.cpuUsage();
      for (let i = 0; i < clip.frames; i++) {
        converter.convert(rgb.subarray(i * frameBytes, (i + 1) * frameBytes), simdYuv.subarray(i * yuvBytes, (i + 1) * yuvBytes));
      }
      const simdCpu = process.cpuUsage(simdStart);
      row.simdConvertCpu.push((simdCpu.user + simdCpu.system) / 1e6);
      if (Buffer.compare(simdYuv, yuv) !== 0) throw new Error(`${clip.name}: the SIMD kernel's bytes differ from rgbToYuv420's`);
      const jsYuv: BenchClip = { ...clip, yuvPath: join(work, 'js.yuv') };
      writeFileSync(jsYuv.yuvPath, yuv);
      const yuvOut = join(work, 'yuv-in.mp4');
      row.yuvEncodeCpu.push((await runFfmpegMeasured(encodeArgs(jsYuv, row.choice, 'yuv420p', yuvOut))).cpuSeconds);
      row.bytes = { ffmpeg: statSync(rgbOut).size, js: statSync(yuvOut).size };
      if (round === 0) {
        const reference = { path: clip.path, width: clip.width, height: clip.height, fps };
        row.quality = {
          ffmpegRaw: await rgbQualityAgainst(clip.yuvPath, reference, true),
          jsRaw: await rgbQualityAgainst(jsYuv.yuvPath, reference, true),
          ffmpegEncoded: await rgbQualityAgainst(rgbOut, reference),
          jsEncoded: await rgbQualityAgainst(yuvOut, reference),
        };
      }
      rmSync(jsYuv.yuvPath);
    }
  }
  return rows;
}

const conversionChoices = [baseline, production, chosen].filter((c, i, all) => all.findIndex((d) => same(c, d)) === i);
const conversionRows = await measureConversion(conversionChoices);
console.log('\n3. colour conversion: ffmpeg converts RGB24 in the encode (production) against rgbToYuv420 first and yuv420p in');
console.log('quality: SSIM All / PSNR over R, G, B against the rendered RGB frames, after converting back to RGB (conversion alone, and conversion + encode)');
console.log('| clip | settings | ffmpeg (RGB24 in): CPU ms/frame | rgbToYuv420 ms/frame | SIMD kernel ms/frame | ffmpeg (yuv420p in) ms/frame | JS + ffmpeg | ratio | SIMD + ffmpeg | ratio | bits/frame ffmpeg / JS | conversion alone SSIM, PSNR ffmpeg / JS | encoded SSIM, PSNR ffmpeg / JS |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const row of conversionRows) {
  const perFrame = (xs: number[]): number => (median(xs) / row.clip.frames) * 1000;
  const ffmpeg = perFrame(row.ffmpegEncodeCpu);
  const js = perFrame(row.jsConvertCpu);
  const simd = perFrame(row.simdConvertCpu);
  const yuvEncode = perFrame(row.yuvEncodeCpu);
  const q = row.quality!;
  const pair = (a: RgbQuality, b: RgbQuality): string => `${a.ssimRgb.toFixed(5)}, ${a.psnrRgb.toFixed(2)} / ${b.ssimRgb.toFixed(5)}, ${b.psnrRgb.toFixed(2)}`;
  console.log(`| ${row.clip.name} | ${label(row.choice)} | ${ffmpeg.toFixed(2)} | ${js.toFixed(2)} | ${simd.toFixed(2)} | ${yuvEncode.toFixed(2)} | ${(js + yuvEncode).toFixed(2)} | ${((js + yuvEncode) / ffmpeg).toFixed(2)} | ${(simd + yuvEncode).toFixed(2)} | ${((simd + yuvEncode) / ffmpeg).toFixed(2)} | ${((row.bytes.ffmpeg * 8) / row.clip.frames).toFixed(0)} / ${((row.bytes.js * 8) / row.clip.frames).toFixed(0)} | ${pair(q.ffmpegRaw, q.jsRaw)} | ${pair(q.ffmpegEncoded, q.jsEncoded)} |`);
}

/** The encode stage as the engine runs it: frames in memory written to createVideoEncoder, one variant after another. */
async function encodeStage(clip: BenchClip, rgb: Buffer, choice: X264Choice, colourConversion: ColourConversion): Promise<{ wall: number; cpu: number }> {
  const frameBytes = clip.width * clip.height * 3;
  const childrenBefore = exitedChildrenCpuSeconds();
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const encoder = createVideoEncoder({
    out: join(work, 'stage.mp4'), width: clip.width, height: clip.height, fps, mode: 'chunk',
    preset: choice.preset, crf: choice.crf, bFrames: choice.bFrames, threads: choice.threads, x264Tuning: choice.tuning, colourConversion,
  });
  for (let i = 0; i < clip.frames; i++) await encoder.write(rgb.subarray(i * frameBytes, (i + 1) * frameBytes));
  await encoder.finish();
  const wall = (performance.now() - start) / 1000;
  const own = process.cpuUsage(cpuStart);
  return { wall, cpu: (own.user + own.system) / 1e6 + exitedChildrenCpuSeconds() - childrenBefore };
}

const variants: Array<{ name: string; choice: X264Choice; conversion: ColourConversion }> = [
  { name: `before: ${label(baseline)}, ffmpeg converts`, choice: baseline, conversion: 'ffmpeg' },
  { name: `now: ${label(production)}, ffmpeg converts`, choice: production, conversion: 'ffmpeg' },
  { name: `${label(production)}, SIMD kernel before the pipe (as the render threads convert)`, choice: production, conversion: 'rgbToYuv420' },
];
const stage = variants.map(() => clips.map(() => ({ wall: [] as number[], cpu: [] as number[] })));
const rgbFrames = clips.map((clip) => readFileSync(clip.path));
for (let round = 0; round < rounds; round++) {
  for (const [v, variant] of variants.entries()) {
    for (const [c, clip] of clips.entries()) {
      const { wall, cpu } = await encodeStage(clip, rgbFrames[c]!, variant.choice, variant.conversion);
      stage[v]![c]!.wall.push(wall);
      stage[v]![c]!.cpu.push(cpu);
    }
  }
}
console.log('\n4. the encode stage (createVideoEncoder fed frames from memory; CPU = this process + ffmpeg), variants in turns');
console.log('| variant | clip | s | frames/s | frames per CPU-second | CPU ratio to before |');
console.log('|---|---|---|---|---|---|');
for (const [v, variant] of variants.entries()) {
  for (const [c, clip] of clips.entries()) {
    const { wall, cpu } = stage[v]![c]!;
    const beforeCpu = median(stage[0]![c]!.cpu);
    console.log(`| ${variant.name} | ${clip.name} | ${median(wall).toFixed(3)} | ${(clip.frames / median(wall)).toFixed(0)} | ${(clip.frames / median(cpu)).toFixed(0)} | ${(median(cpu) / beforeCpu).toFixed(2)} |`);
  }
}
rmSync(work, { recursive: true, force: true });
