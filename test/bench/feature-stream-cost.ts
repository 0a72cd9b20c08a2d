// npx tsx --conditions=portrait-farm-source test/bench/feature-stream-cost.ts [--rounds 3] [--seconds 10] [--lookahead 120]
// What live feature rows cost: the 20 s speech fixture (first --seconds) pushed to frontEnd.featureStream in steps
// of k frames' audio (k = 1, 2, 4, 8), each step awaited before the next, so every call computes k rows (mel blocks
// and one embedding run), against the whole-clip path (features) on the same audio; modes interleaved in one process
// (batch, k1, k2, k4, k8, batch, ...). Reports medians over rounds of CPU milliseconds per second of audio (process
// CPU: the model worker threads included) and rows per CPU-second, and the wall-clock latency of one step (push to
// rows resolved), p50 / p95 over every step of every round.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createAudioFrontEnd } from '@portrait-farm/audio-features';
import { decodeAudio } from '@portrait-farm/media';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '3' }, seconds: { type: 'string', default: '10' }, lookahead: { type: 'string', default: '120' } },
});
const fixtures = new URL('../fixtures/', import.meta.url).pathname;
const { samples: decoded } = await decodeAudio(join(fixtures, 'demo-speech-20s.ogg'));
const samples = decoded.subarray(0, Math.min(decoded.length, Number(values.seconds) * 16000));
const seconds = samples.length / 16000;
const lookaheadMs = Number(values.lookahead);
const frontEnd = await createAudioFrontEnd({
  melModel: new URL('../../models/audio/melspectrogram.onnx', import.meta.url).pathname,
  embeddingModel: new URL('../../models/audio/embedding_model.onnx', import.meta.url).pathname,
  providers: ['cpu'],
});

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** Streams the audio k frames at a time; returns the wall-clock ms of each step. */
async function streamSteps(k: number): Promise<{ rows: number; steps: number[] }> {
  const stream = frontEnd.featureStream({ lookaheadMs });
  const steps: number[] = [];
  // Up to the first row's look-ahead at once (not timed), then k frames of audio per step.
  let pushed = Math.min(samples.length, 320 + lookaheadMs * 16 - 1);
  stream.push(samples.subarray(0, pushed));
  while (pushed < samples.length) {
    const next = Math.min(samples.length, pushed + 640 * k);
    const started = performance.now();
    stream.push(samples.subarray(pushed, next));
    pushed = next;
    const target = next === samples.length ? null : Math.floor((next - 320 - lookaheadMs * 16) / 640) + 1;
    if (target === null) stream.end();
    await stream.rows(0, target ?? stream.total!);
    steps.push(performance.now() - started);
  }
  return { rows: stream.ready, steps };
}

const modes = ['batch', 'k1', 'k2', 'k4', 'k8'] as const;
const cpu = new Map<string, number[]>(modes.map((mode) => [mode, []]));
const wall = new Map<string, number[]>(modes.map((mode) => [mode, []]));
const latency = new Map<string, number[]>(modes.map((mode) => [mode, []]));
let rows = 0;
try {
  await frontEnd.features(samples);
  await streamSteps(4);
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const mode of modes) {
      const cpuBefore = cpuMs();
      const wallBefore = performance.now();
      if (mode === 'batch') rows = (await frontEnd.features(samples)).frameCount;
      else latency.get(mode)!.push(...(await streamSteps(Number(mode.slice(1)))).steps);
      cpu.get(mode)!.push(cpuMs() - cpuBefore);
      wall.get(mode)!.push(performance.now() - wallBefore);
    }
  }
} finally {
  await frontEnd.close();
}
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const percentile = (values: number[], p: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(p * values.length))]!;
const batchCpu = median(cpu.get('batch')!);
console.log(`${seconds.toFixed(1)} s of speech, ${rows} rows, look-ahead ${lookaheadMs} ms, ${values.rounds} rounds interleaved`);
console.log('| rows per call | CPU ms per s of audio | x batch | rows per CPU-s | wall ms per s of audio | step latency p50 / p95 ms |');
console.log('|---|---|---|---|---|---|');
for (const mode of modes) {
  const c = median(cpu.get(mode)!);
  const steps = latency.get(mode)!;
  const stepText = steps.length === 0 ? '-' : `${percentile(steps, 0.5).toFixed(1)} / ${percentile(steps, 0.95).toFixed(1)}`;
  console.log(
    `| ${mode === 'batch' ? 'whole clip (features)' : mode.slice(1)} | ${(c / seconds).toFixed(1)} | ${(c / batchCpu).toFixed(2)} | ${((rows / c) * 1000).toFixed(0)} | ${(median(wall.get(mode)!) / seconds).toFixed(1)} | ${stepText} |`,
  );
}
