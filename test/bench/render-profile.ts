// npm run bench:render-profile [-- --seconds 10 --repeat 4 --rounds 5 --compare <renderer entry> --kernels js,wasm-simd --pack models/starter]
// The render stage alone on the main thread: the astronaut portrait prepared as bench:engine prepares it (crop mode,
// 512x512), the motion of --seconds of speech from the denoiser, rendered --repeat times over per round, --rounds
// rounds; prints frames/s per round and the median. With --compare (another checkout's
// packages/renderer/src/index.ts, which prepares the portrait itself) the two renderers take turns round by round,
// every frame's bytes are compared, and the ratio of their medians is printed. With --kernels (a list of warp kernel
// choices) this checkout's renderer runs once per choice, taking turns the same way, every frame compared with the
// first choice's. For a CPU profile:
//   node --cpu-prof --cpu-prof-dir=<dir> --conditions=portrait-farm-source --import tsx test/bench/render-profile.ts
//   npx tsx test/bench/cpuprofile-summary.ts <dir>/<file>.cpuprofile
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { MOTION_CHANNEL_COUNT as C } from '@portrait-farm/contracts';
import { createEngine, outputFrameCount, prepareSourceImage } from '@portrait-farm/engine';
import { decodeImage } from '@portrait-farm/face';
import { decodeAudio } from '@portrait-farm/media';
import { applyControls, createMotionGenerator, resample } from '@portrait-farm/motion';
import { createMeshwarpRendererFromPrepared, prepareMeshwarp, type MeshwarpInput, type MeshwarpRenderer, type PreparedMeshwarp, type WarpKernelChoice } from '@portrait-farm/renderer';
import { writeEngineTestPack } from '@portrait-farm/test-support/engine-test-pack';
import { STARTER_PACK } from '@portrait-farm/test-support/repo-models';
import { loopedSpeech } from './bench-inputs.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    repeat: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '5' },
    compare: { type: 'string' },
    kernels: { type: 'string' },
    pack: { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const repeat = Number(values.repeat);
const rounds = Number(values.rounds);
const fps = 25;
const work = mkdtempSync(join(tmpdir(), 'render-profile-'));
const fixtures = new URL('../fixtures/', import.meta.url).pathname;

let pack = values.pack ?? STARTER_PACK;
if (!existsSync(join(pack, 'manifest.json'))) {
  pack = join(work, 'pack');
  writeEngineTestPack(pack);
}

/** The portrait and its motion, as bench:engine prepares them for the render stage. */
async function prepareRenderInput(): Promise<{ input: MeshwarpInput; prepared: PreparedMeshwarp; motions: Float32Array[] }> {
  const audioPath = join(work, 'speech.wav');
  loopedSpeech(seconds, audioPath);
  const engine = await createEngine({ pack, providers: ['cpu'] });
  try {
    const audio = await decodeAudio(audioPath);
    const image = await decodeImage(join(fixtures, 'astronaut.png'));
    const analysis = await engine.face.analyze(image);
    const features = await engine.audio.features(audio.samples);
    const generator = await createMotionGenerator(engine.pack, engine.denoiser, { silenceFeature: engine.silenceFeature, seed: 0 });
    const generated = await generator.generateAll(features);
    const track = resample(applyControls(generated, {}, { channelMean: engine.pack.channelMean }), fps);
    const frames = outputFrameCount(audio.durationSeconds, fps);
    const motions = Array.from({ length: frames }, (_, i) => {
      const row = Math.min(i, track.frameCount - 1);
      return track.data.slice(row * C, (row + 1) * C);
    });
    const source = await prepareSourceImage(image, analysis, 'crop');
    const input = { image: source.image, landmarks: source.landmarks };
    return { input, prepared: prepareMeshwarp(input), motions };
  } finally {
    await engine.close();
  }
}

interface Rate {
  /** Frames per second of wall-clock time. */
  wall: number;
  /** Frames per second of this process's CPU time (less disturbed by other work on a busy machine). */
  cpu: number;
}

/** Renders every motion `repeat` times into one reused buffer (as a render thread does). */
function renderRound(renderer: MeshwarpRenderer, motions: Float32Array[], out: Uint8Array): Rate {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (let r = 0; r < repeat; r++) for (const motion of motions) renderer.renderFrame(motion, out);
  const cpu = process.cpuUsage(cpuStart);
  const frames = repeat * motions.length;
  return { wall: frames / ((performance.now() - start) / 1000), cpu: frames / ((cpu.user + cpu.system) / 1e6) };
}

/** Frames that differ between two renderers over the whole clip (rendered in order, each into its own buffer). */
function differingFrames(a: MeshwarpRenderer, b: MeshwarpRenderer, motions: Float32Array[]): number {
  const outA = new Uint8Array(a.width * a.height * 3);
  const outB = new Uint8Array(b.width * b.height * 3);
  let differing = 0;
  for (const motion of motions) {
    a.renderFrame(motion, outA);
    b.renderFrame(motion, outB);
    if (Buffer.compare(outA, outB) !== 0) differing++;
  }
  return differing;
}

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const { input, prepared, motions } = await prepareRenderInput();
rmSync(work, { recursive: true, force: true });

const kernelChoices = (values.kernels?.split(',') ?? [undefined]) as Array<WarpKernelChoice | undefined>;
const renderers: Array<{ name: string; renderer: MeshwarpRenderer; rates: Rate[] }> = kernelChoices.map((warpKernels) => ({
  name: warpKernels === undefined ? 'this checkout' : `this checkout, ${warpKernels} kernels`,
  renderer: createMeshwarpRendererFromPrepared(prepared, { warpKernels }),
  rates: [],
}));
const current = renderers[0]!.renderer;
for (const { name, renderer } of renderers.slice(1)) {
  console.log(`frames differing between ${renderers[0]!.name} and ${name}: ${differingFrames(current, renderer, motions)} of ${motions.length}`);
}
if (values.compare !== undefined) {
  const other = (await import(pathToFileURL(resolve(values.compare)).href)) as typeof import('@portrait-farm/renderer');
  // The other checkout prepares the portrait itself, so that a change in the preparation is compared too.
  const baseline = { name: values.compare, renderer: other.createMeshwarpRendererFromPrepared(other.prepareMeshwarp(input)), rates: [] };
  renderers.push(baseline);
  console.log(`frames differing from ${values.compare}: ${differingFrames(current, baseline.renderer, motions)} of ${motions.length}`);
}
const out = new Uint8Array(prepared.width * prepared.height * 3);
for (const { renderer } of renderers) renderRound(renderer, motions.slice(0, 50), out);
for (let round = 0; round < rounds; round++) {
  for (const entry of renderers) entry.rates.push(renderRound(entry.renderer, motions, out));
}
console.log(`render stage, one thread: ${motions.length} frames x ${repeat} per round, ${prepared.width}x${prepared.height} (crop), ${rounds} rounds`);
const wall = (rates: Rate[]): number => median(rates.map((r) => r.wall));
const cpu = (rates: Rate[]): number => median(rates.map((r) => r.cpu));
for (const { name, rates } of renderers) {
  console.log(`${name}: ${wall(rates).toFixed(1)} frames/s wall, ${cpu(rates).toFixed(1)} per CPU-second (medians; wall rounds: ${rates.map((r) => r.wall.toFixed(1)).join(', ')})`);
}
for (const { name, rates } of renderers.slice(0, -1)) {
  const last = renderers.at(-1)!;
  // Rounds taken in turns share the machine's speed of the moment: the median of their ratios drifts less.
  const paired = median(rates.map((rate, round) => rate.cpu / last.rates[round]!.cpu));
  console.log(`ratio ${name} / ${last.name}: ${(wall(rates) / wall(last.rates)).toFixed(3)} wall, ${(cpu(rates) / cpu(last.rates)).toFixed(3)} CPU; per round in turns ${paired.toFixed(3)} CPU (median)`);
}
