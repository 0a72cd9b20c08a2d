/**
 * Times the audio front-end on 20 s of audio (median of 5 runs, cpu, one intra-op thread per model):
 *   npx tsx packages/audio-features/scripts/bench-features.ts [seconds]
 */
import { fileURLToPath } from 'node:url';
import { createAudioFrontEnd } from '../src/index.ts';

const seconds = Number(process.argv[2] ?? 20);
const models = new URL('../../../models/audio/', import.meta.url);
const frontEnd = await createAudioFrontEnd({
  melModel: fileURLToPath(new URL('melspectrogram.onnx', models)),
  embeddingModel: fileURLToPath(new URL('embedding_model.onnx', models)),
  providers: ['cpu'],
});
const samples = new Float32Array(seconds * 16000);
for (let i = 0; i < samples.length; i++) {
  const t = i / 16000;
  samples[i] = 0.3 * (0.5 - 0.5 * Math.cos(2 * Math.PI * 4 * t)) * Math.sin(2 * Math.PI * (150 * t + 40 * t * t));
}
await frontEnd.features(samples);
const times: number[] = [];
for (let run = 0; run < 5; run++) {
  const started = performance.now();
  await frontEnd.features(samples);
  times.push(performance.now() - started);
}
await frontEnd.close();
times.sort((a, b) => a - b);
console.log(`audio-features: ${seconds} s of audio in ${times[2]!.toFixed(0)} ms (median of 5; min ${times[0]!.toFixed(0)} ms)`);
