// npx tsx --conditions=portrait-farm-source test/bench/graph-render.ts [-- --seconds 10 --rounds 5 --batch 8 --threads 1 --providers cpu]
// The renderer's warp as an ONNX graph (packages/renderer/src/graph) against the CPU renderer, on the astronaut
// portrait prepared as bench:engine prepares it (crop mode, 512x512) with the denoiser's motion for --seconds of
// speech. Every frame of both is compared (max and mean difference per channel, PSNR); then the two take turns,
// round by round in this process: the CPU renderer frame after frame into one reused buffer on this thread, the graph
// renderer in batches of --batch frames (geometry, ids and paint on this thread, the graph in its onnxruntime thread
// with --threads intra-op threads). Prints frames/s (wall) and frames per CPU-second of the process (every thread),
// medians over --rounds, and the share of the graph renderer's wall time spent inside onnxruntime's runs. Then the
// graph renderer's host work alone (geometry, triangle ids, paint; what a GPU run leaves on the host's cores), timed
// on this thread with onnxruntime idle, in CPU ms per frame.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MOTION_CHANNEL_COUNT as C } from '@portrait-farm/contracts';
import { createEngine, outputFrameCount, prepareSourceImage } from '@portrait-farm/engine';
import { decodeImage } from '@portrait-farm/face';
import { decodeAudio } from '@portrait-farm/media';
import { observeInferences, parseProviderList } from '@portrait-farm/model-runtime';
import { applyControls, createMotionGenerator, resample } from '@portrait-farm/motion';
import { createMeshwarpRendererFromPrepared, prepareMeshwarp, type MeshwarpRenderer, type PreparedMeshwarp } from '@portrait-farm/renderer';
import {
  MAP_SIZE, clearTriangleRaster, createFramePlanner, createGraphRendererFromPrepared, frameDifference, rasteriseTriangleIds,
  type GraphRenderer, type TriangleRasterTarget,
} from '@portrait-farm/renderer/graph';
import { writeEngineTestPack } from '@portrait-farm/test-support/engine-test-pack';
import { STARTER_PACK } from '@portrait-farm/test-support/repo-models';
import { loopedSpeech } from './bench-inputs.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '5' },
    batch: { type: 'string', default: '8' },
    threads: { type: 'string', default: '1' },
    providers: { type: 'string', default: 'cpu' },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const batchSize = Number(values.batch);
const fps = 25;
const work = mkdtempSync(join(tmpdir(), 'graph-render-'));
const fixtures = new URL('../fixtures/', import.meta.url).pathname;

let pack = STARTER_PACK;
if (!existsSync(join(pack, 'manifest.json'))) {
  pack = join(work, 'pack');
  writeEngineTestPack(pack);
}

/** The portrait and its motion, as bench:engine prepares them for the render stage. */
async function prepareRenderInput(): Promise<{ prepared: PreparedMeshwarp; motions: Float32Array[] }> {
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
    return { prepared: prepareMeshwarp({ image: source.image, landmarks: source.landmarks }), motions };
  } finally {
    await engine.close();
  }
}

interface Rate {
  wall: number;
  cpu: number;
  /** Share of the wall time inside onnxruntime's runs (graph renderer only). */
  inGraph: number;
}

function cpuRound(renderer: MeshwarpRenderer, motions: Float32Array[], out: Uint8Array): Rate {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (const motion of motions) renderer.renderFrame(motion, out);
  const cpu = process.cpuUsage(cpuStart);
  return { wall: motions.length / ((performance.now() - start) / 1000), cpu: motions.length / ((cpu.user + cpu.system) / 1e6), inGraph: 0 };
}

let graphSeconds = 0;
observeInferences((run) => {
  if (run.model === 'mesh-warp') graphSeconds += run.seconds;
});

async function graphRound(renderer: GraphRenderer, motions: Float32Array[]): Promise<Rate> {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  graphSeconds = 0;
  for (let i = 0; i < motions.length; i += batchSize) await renderer.renderFrames(motions.slice(i, i + batchSize));
  const cpu = process.cpuUsage(cpuStart);
  const wallSeconds = (performance.now() - start) / 1000;
  return { wall: motions.length / wallSeconds, cpu: motions.length / ((cpu.user + cpu.system) / 1e6), inGraph: graphSeconds / wallSeconds };
}

/**
 * The graph renderer's CPU steps, each timed over the clip (CPU time of this process; onnxruntime idle): planning
 * (deformation, background), triangle ids, and painting over the CPU renderer's frames (what the graph would return,
 * to one level).
 */
function hostWork(frames: Uint8Array): Array<[string, number]> {
  const planner = createFramePlanner(prepared);
  const geometries = motions.map(() => planner.createFrameGeometry());
  const pixels = prepared.width * prepared.height;
  const mapsPerFrame = prepared.triangles.length / 3 + 1;
  const target: TriangleRasterTarget = {
    width: prepared.width, height: prepared.height, ids: new Int32Array(pixels), folded: new Int32Array(pixels),
    maps: new Float32Array(mapsPerFrame * MAP_SIZE), firstMap: 0, foldedPixels: 0, overflowPixels: 0,
  };
  const background = new Uint8Array(pixels * 3);
  const cpuMs = (work: () => void): number => {
    const start = process.cpuUsage();
    work();
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000 / motions.length;
  };
  const samples: Record<string, number[]> = { plan: [], ids: [], paint: [] };
  const frame = new Uint8Array(pixels * 3);
  for (let round = 0; round < rounds; round++) {
    samples['plan']!.push(cpuMs(() => motions.forEach((motion, n) => background.set(planner.plan(motion, geometries[n]!)))));
    samples['ids']!.push(cpuMs(() => geometries.forEach((geometry) => {
      clearTriangleRaster(target);
      for (const pass of planner.warpPasses(geometry)) rasteriseTriangleIds(target, pass, prepared.triangles);
    })));
    samples['paint']!.push(cpuMs(() => geometries.forEach((geometry, n) => {
      frame.set(frames.subarray(n * pixels * 3, (n + 1) * pixels * 3));
      planner.paint(geometry, frame, { ids: target.ids, first: 0, end: 0 });
    })));
  }
  return Object.entries(samples).map(([step, ms]) => [step, median(ms)]);
}

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const { prepared, motions } = await prepareRenderInput();
rmSync(work, { recursive: true, force: true });

const cpuRenderer = createMeshwarpRendererFromPrepared(prepared);
const graphRenderer = await createGraphRendererFromPrepared(prepared, {
  providers: parseProviderList(values.providers),
  intraOpThreads: Number(values.threads),
  log: (line) => console.log(line),
});
try {
  const frameBytes = prepared.width * prepared.height * 3;
  const expected = new Uint8Array(motions.length * frameBytes);
  const actual = new Uint8Array(motions.length * frameBytes);
  const out = new Uint8Array(frameBytes);
  motions.forEach((motion, n) => expected.set(cpuRenderer.renderFrame(motion, out), n * frameBytes));
  for (let i = 0; i < motions.length; i += batchSize) {
    (await graphRenderer.renderFrames(motions.slice(i, i + batchSize))).forEach((frame, k) => actual.set(frame, (i + k) * frameBytes));
  }
  const difference = frameDifference(actual, expected);
  console.log(`${motions.length} frames, graph vs CPU renderer: max ${difference.max.join('/')}, mean ${difference.mean.map((m) => m.toFixed(4)).join('/')} (R/G/B), PSNR ${difference.psnr.toFixed(1)} dB, ${(difference.differing * 100).toFixed(2)} % of bytes differ, ${graphRenderer.overflowPixels} pixels under a third folded ring triangle`);

  const cpuRates: Rate[] = [];
  const graphRates: Rate[] = [];
  for (let round = 0; round < rounds; round++) {
    cpuRates.push(cpuRound(cpuRenderer, motions, out));
    graphRates.push(await graphRound(graphRenderer, motions));
  }
  console.log(`render, ${motions.length} frames per round, ${prepared.width}x${prepared.height} (crop), ${rounds} rounds, taking turns`);
  const wall = (rates: Rate[]): number => median(rates.map((r) => r.wall));
  const cpu = (rates: Rate[]): number => median(rates.map((r) => r.cpu));
  console.log(`CPU renderer (one thread): ${wall(cpuRates).toFixed(1)} frames/s wall, ${cpu(cpuRates).toFixed(1)} per CPU-second (medians; wall rounds: ${cpuRates.map((r) => r.wall.toFixed(1)).join(', ')})`);
  console.log(`graph renderer (${graphRenderer.provider}, batch ${batchSize}, ${values.threads} intra-op threads): ${wall(graphRates).toFixed(1)} frames/s wall, ${cpu(graphRates).toFixed(1)} per CPU-second, ${(median(graphRates.map((r) => r.inGraph)) * 100).toFixed(0)} % of wall time in onnxruntime runs (medians; wall rounds: ${graphRates.map((r) => r.wall.toFixed(1)).join(', ')})`);
  console.log(`host work of the graph renderer, CPU ms per frame (medians of ${rounds}): ${hostWork(expected).map(([step, ms]) => `${step} ${ms.toFixed(2)}`).join(', ')}`);
  console.log(`ratio graph / CPU renderer: ${(wall(graphRates) / wall(cpuRates)).toFixed(3)} wall, ${(cpu(graphRates) / cpu(cpuRates)).toFixed(3)} CPU`);
} finally {
  await graphRenderer.close();
}
