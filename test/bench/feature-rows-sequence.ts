// npx tsx --conditions=portrait-farm-source test/bench/feature-rows-sequence.ts [--seconds 20,600] [--runs 3]
// The audio features of the 20 s speech fixture looped to each length, computed with the window embedding model
// (one run of the network per row's 76 mel frames) and with embedding_sequence.onnx (the same network over the
// mel sequence), taking turns in one process: the SHA-256 of both (they must be equal) and the CPU-seconds of
// each (the process's count, the model threads included), medians of the runs.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createAudioFrontEnd, frameCount, type AudioFrontEnd } from '@portrait-farm/audio-features';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20,600' }, runs: { type: 'string', default: '3' } } });
const models = new URL('../../models/audio/', import.meta.url);
const model = (name: string): string => fileURLToPath(new URL(name, models));
const speech = fileURLToPath(new URL('../fixtures/demo-speech-20s.ogg', import.meta.url));

function decodeLooped(seconds: number): Float32Array {
  const bytes = execFileSync('ffmpeg', ['-v', 'error', '-stream_loop', '-1', '-i', speech, '-t', String(seconds), '-ac', '1', '-ar', '16000', '-f', 'f32le', '-'], { maxBuffer: 1 << 30 });
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

async function measure(frontEnd: AudioFrontEnd, samples: Float32Array): Promise<{ cpuSeconds: number; digest: string }> {
  const before = process.cpuUsage();
  const features = await frontEnd.features(samples);
  const used = process.cpuUsage(before);
  const digest = createHash('sha256').update(new Uint8Array(features.data.buffer, features.data.byteOffset, features.data.byteLength)).digest('hex');
  return { cpuSeconds: (used.user + used.system) / 1e6, digest };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const common = { melModel: model('melspectrogram.onnx'), embeddingModel: model('embedding_model.onnx'), providers: ['cpu' as const] };
const windowed = await createAudioFrontEnd(common);
const overSequence = await createAudioFrontEnd({ ...common, embeddingSequenceModel: model('embedding_sequence.onnx') });
console.log(`${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)}`);
console.log('| clip | frames | windows CPU-s | sequence CPU-s | ratio | CPU-ms a frame saved | same rows |');
console.log('|---|---|---|---|---|---|---|');
try {
  for (const seconds of values.seconds.split(',').map(Number)) {
    const samples = decodeLooped(seconds);
    const frames = frameCount(samples.length);
    const a: number[] = [];
    const b: number[] = [];
    const digests = new Set<string>();
    for (let run = 0; run < Number(values.runs); run++) {
      const first = await measure(windowed, samples);
      const second = await measure(overSequence, samples);
      a.push(first.cpuSeconds);
      b.push(second.cpuSeconds);
      digests.add(first.digest).add(second.digest);
    }
    const [wa, sb] = [median(a), median(b)];
    console.log(`| ${seconds} s | ${frames} | ${wa.toFixed(2)} | ${sb.toFixed(2)} | ${(wa / sb).toFixed(2)}x | ${(((wa - sb) / frames) * 1000).toFixed(2)} | ${digests.size === 1 ? 'yes' : 'NO'} |`);
  }
} finally {
  await Promise.all([windowed.close(), overSequence.close()]);
}
console.log(`load average ${loadavg()[0]!.toFixed(1)}`);
