// npm run bench:engine [-- --runs 3 --seconds 20 --pack models/starter --providers cpu --threads 1 --compare DIR --pipeline-only]
// npm run bench:engine:dist [-- ...]: the same on the compiled dist/ (npm run build first), as an installed farm runs
// it; bench:engine runs the TypeScript sources through tsx, whose loader every worker thread loads again.
// Prints frames/s and real-time factor (seconds of work per second of audio) per stage (audio: the mel peak and
// every segment's feature rows, as the pipeline computes them) for a clip of
// --seconds at 512x512, 25 fps, then the same for the whole pipeline (stages overlapped as renderClip runs them).
// The render row and the pipeline run on the engine's render threads (Engine.renderThreads), as in a process that
// keeps its engine: the first run starts them and V8 compiles the renderer in them; the first run's start-up and, with
// --pipeline-only, its pipeline are printed on lines of their own (a process that renders one clip).
// CPU seconds count every thread of this process and the ffmpeg processes it ran (steadier than wall clock on a
// shared machine). --compare DIR also runs the pipeline of another checkout's engine (DIR/packages/engine/src/index.ts, or dist/index.js,
// e.g. a worktree of an earlier commit) in the same runs, taking turns with this one, and prints the ratios.
// --pipeline-only leaves out the stages measured one by one, which hold every frame in memory (long clips).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FEATURE_DIM, frameCount } from '@portrait-farm/audio-features';
import { MOTION_CHANNEL_COUNT as C } from '@portrait-farm/contracts';
import { DEFAULT_SEGMENT_WINDOWS, createEngine, outputFrameCount, planSegments, prepareSourceImage, renderClipWith, resolveRenderOptions } from '@portrait-farm/engine';
import { decodeImage } from '@portrait-farm/face';
import { createVideoEncoder, decodeAudio } from '@portrait-farm/media';
import { parseProviderList } from '@portrait-farm/model-runtime';
import { applyControls, createMotionGenerator, resample, type FeatureMatrix } from '@portrait-farm/motion';
import { prepareMeshwarp } from '@portrait-farm/renderer';
import { loopedSpeech } from './bench-inputs.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '20' },
    pack: { type: 'string' },
    providers: { type: 'string', default: 'cpu' },
    threads: { type: 'string', default: '2' },
    compare: { type: 'string' },
    'pipeline-only': { type: 'boolean', default: false },
  },
});
const pipelineOnly = values['pipeline-only'];
const runs = Number(values.runs);
const seconds = Number(values.seconds);
const threads = Number(values.threads);
const providers = parseProviderList(values.providers);
const fps = 25;
const work = mkdtempSync(join(tmpdir(), 'engine-bench-'));
const fixtures = new URL('../fixtures/', import.meta.url).pathname;

// test-support has sources only: named here, not imported, so that `bench:engine:dist` runs without the source condition.
const STARTER_PACK = new URL('../../models/starter/', import.meta.url).pathname;
let pack = values.pack ?? STARTER_PACK;
let packNote = pack;
if (!existsSync(join(pack, 'manifest.json'))) {
  pack = join(work, 'pack');
  const { writeEngineTestPack } = await import('@portrait-farm/test-support/engine-test-pack');
  writeEngineTestPack(pack);
  packNote = 'test denoiser (models/starter not present)';
}

const audioPath = join(work, 'speech.wav');
loopedSpeech(seconds, audioPath);
const imagePath = join(fixtures, 'astronaut.png');

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const TICKS_PER_SECOND = 100;
/** CPU seconds of this process (every thread) and of its children that have been waited for. */
function cpuSeconds(): number {
  const own = process.cpuUsage();
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  // Fields 16 and 17 of /proc/PID/stat (cutime, cstime), counted from the state field (3).
  const children = (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND;
  return (own.user + own.system) / 1e6 + children;
}
const cpu: Record<string, number[]> = {};
async function timed<T>(fn: () => Promise<T>, stage?: string): Promise<[T, number]> {
  const start = performance.now();
  const cpuStart = cpuSeconds();
  const result = await fn();
  if (stage !== undefined) (cpu[stage] ??= []).push(cpuSeconds() - cpuStart);
  return [result, (performance.now() - start) / 1000];
}
type RenderClipWith = typeof renderClipWith;
/** The engine's entry within its package as this process resolves it: src/index.ts, or dist/index.js. */
function engineEntry(): string {
  const resolved = import.meta.resolve('@portrait-farm/engine');
  return resolved.slice(resolved.lastIndexOf('/packages/engine/') + '/packages/engine/'.length);
}
const comparedEngine = values.compare === undefined
  ? null
  : ((await import(join(values.compare, 'packages/engine', engineEntry()))) as { renderClipWith: RenderClipWith });

const engine = await createEngine({ pack, providers });

/** The clip's features assembled from per-segment rows (the default segment plan), as prepare + segments compute them. */
async function segmentedFeatures(samples: Float32Array): Promise<FeatureMatrix> {
  const melPeak = await engine.audio.melPeak(samples);
  const frames = frameCount(samples.length);
  const { fps: packFps, denoiser } = engine.pack;
  const plan = planSegments({ motionFrames: frames, outputFrames: frames, packFps, fps: packFps, window: denoiser.window, context: denoiser.context, segmentWindows: DEFAULT_SEGMENT_WINDOWS });
  const data = new Float32Array(frames * FEATURE_DIM);
  for (const { motionStart, motionEnd } of plan) {
    const rows = await engine.audio.featuresRange(samples, motionStart, motionEnd, { melPeak });
    data.set(rows.data, motionStart * FEATURE_DIM);
  }
  return { frameCount: frames, dim: FEATURE_DIM, data };
}
const stages: Record<string, number[]> = { decode: [], face: [], audio: [], denoise: [], render: [], encode: [], pipeline: [] };
/** Render threads' start-up (and their first frames), apart from the render row. */
const renderStartSeconds: number[] = [];
let frames = 0;
/** Each stage on its own (every frame kept in memory between render and encode: short clips only). */
async function measureStages(run: number): Promise<void> {
  const [audio, decodeSeconds] = await timed(() => decodeAudio(audioPath), 'decode');
  const image = await decodeImage(imagePath);
  const [analysis, faceSeconds] = await timed(() => engine.face.analyze(image), 'face');
  // As the pipeline computes them: the clip's mel peak, then each segment's rows.
  const [features, audioSeconds] = await timed(() => segmentedFeatures(audio.samples), 'audio');
  const generator = await createMotionGenerator(engine.pack, engine.denoiser, { silenceFeature: engine.silenceFeature, seed: run });
  const [generated, denoiseSeconds] = await timed(() => generator.generateAll(features), 'denoise');
  const frameTotal = outputFrameCount(audio.durationSeconds, fps);
  const track = resample(applyControls(generated, {}, { channelMean: engine.pack.channelMean }), fps);
  const source = await prepareSourceImage(image, analysis, 'crop');
  const prepared = prepareMeshwarp({ image: source.image, landmarks: source.landmarks });
  const motionOf = (i: number): Float32Array => track.data.slice(Math.min(i, track.frameCount - 1) * C, (Math.min(i, track.frameCount - 1) + 1) * C);
  // The threads do not start before they are asked for frames; frames enough to reach every thread (the pool queues
  // two per thread) make the start-up a row of its own, so that the render row times rendering.
  const [pool, startSeconds] = await timed(async () => {
    const started = engine.renderThreads(threads).portrait(prepared);
    await started.renderFrames(Math.min(frameTotal, threads * 2), motionOf, () => {});
    return started;
  });
  const rendered: Uint8Array[] = [];
  const [, renderSeconds] = await timed(() => pool.renderFrames(frameTotal, motionOf, (frame) => void rendered.push(frame.slice())), 'render');
  await pool.close();
  const encoder = createVideoEncoder({ out: join(work, 'encode.mp4'), width: 512, height: 512, fps, audio: { path: audioPath } });
  const [, encodeSeconds] = await timed(async () => {
    for (const frame of rendered) await encoder.write(frame);
    await encoder.finish();
  }, 'encode');
  stages.decode!.push(decodeSeconds);
  stages.face!.push(faceSeconds);
  stages.audio!.push(audioSeconds);
  stages.denoise!.push(denoiseSeconds);
  stages.render!.push(renderSeconds);
  renderStartSeconds.push(startSeconds);
  stages.encode!.push(encodeSeconds);
}

for (let run = 0; run < runs; run++) {
  if (!pipelineOnly) await measureStages(run);
  const options = resolveRenderOptions({ image: imagePath, audio: audioPath, out: join(work, 'clip.mp4'), pack, mode: 'crop', fps, seed: run, renderThreads: threads, providers });
  // With --compare the two engines take turns, starting with the other one on odd runs.
  for (const which of run % 2 === 0 ? ['this', 'compared'] : ['compared', 'this']) {
    if (which === 'this') {
      const [result, pipelineSeconds] = await timed(() => renderClipWith(engine, options), 'pipeline');
      frames = result.frames;
      stages.pipeline!.push(pipelineSeconds);
    } else if (comparedEngine !== null) {
      const [, compared] = await timed(() => comparedEngine.renderClipWith(engine, options), 'compared');
      (stages.compared ??= []).push(compared);
    }
  }
}
await engine.close();
rmSync(work, { recursive: true, force: true });

console.log(`engine benchmark: ${seconds} s clip, ${frames} frames at ${fps} fps, 512x512 (crop), ${runs} runs, median`);
console.log(`pack: ${packNote}; denoiser on ${engine.provider}; render threads: ${threads}`);
console.log('stage      seconds   frames/s   RTF     CPU s  frames/CPU s');
for (const [stage, times] of Object.entries(stages)) {
  if (times.length === 0) continue;
  const t = median(times);
  const c = median(cpu[stage] ?? [NaN]);
  console.log(`${stage.padEnd(10)} ${t.toFixed(3).padStart(7)} ${(frames / t).toFixed(1).padStart(10)} ${(t / seconds).toFixed(4).padStart(7)} ${c.toFixed(3).padStart(8)} ${(frames / c).toFixed(1).padStart(12)}`);
}
if (comparedEngine !== null) {
  const ratio = (a: number[], b: number[]): number => median(a.map((x, i) => x / b[i]!));
  console.log(`pipeline against ${values.compare} (compared row), per run: wall ${ratio(stages.compared!, stages.pipeline!).toFixed(3)}x, CPU ${ratio(cpu.compared!, cpu.pipeline!).toFixed(3)}x (above 1: this checkout is faster)`);
}
if (!pipelineOnly) console.log(`render threads' start-up (${threads} threads, before the render row): first run ${renderStartSeconds[0]!.toFixed(3)} s, later runs ${runs > 1 ? median(renderStartSeconds.slice(1)).toFixed(3) : '-'} s`);
else console.log(`pipeline, first run (the render threads started and the renderer compiled in it): ${stages.pipeline![0]!.toFixed(3)} s, ${(frames / stages.pipeline![0]!).toFixed(1)} frames/s, ${cpu.pipeline![0]!.toFixed(3)} CPU s`);
