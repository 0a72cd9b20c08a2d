// npx tsx --conditions=portrait-farm-source test/bench/feature-stream-rows.ts [--clips N] [--lookahead 0,40,...] FILE_OR_FOLDER...
// How far the rows of a live feature stream (frontEnd.featureStream) are from the whole-clip rows (features) on real
// speech, for each look-ahead and mel peak policy: per row the relative L2 error ||live - batch|| / ||batch|| and the
// cosine similarity, p50 / p95 (p5 for cosine) over every row of every clip. A stream's rows do not depend on the
// chunking (feature-stream.test.ts), so each clip is pushed whole and ended. Folders give their first N .wav files.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createAudioFrontEnd, FEATURE_DIM, type LiveMelPeak } from '@portrait-farm/audio-features';
import { decodeAudio } from '@portrait-farm/media';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    clips: { type: 'string', default: '10' },
    lookahead: { type: 'string', default: '0,40,80,120,160,200' },
    // clip: the clip's own peak (what a whole-clip run floors at); fixed:DB; running; running:DB (never below DB).
    policies: { type: 'string', default: 'clip,fixed:113.19,fixed:103,running,running:95' },
  },
});
const fixtures = new URL('../fixtures/', import.meta.url).pathname;
const inputs = positionals.length > 0 ? positionals : [join(fixtures, 'speech-3s.wav'), join(fixtures, 'demo-speech-20s.ogg')];
const files = inputs.flatMap((path) =>
  statSync(path).isDirectory() ? readdirSync(path).filter((name) => name.endsWith('.wav')).sort().slice(0, Number(values.clips)).map((name) => join(path, name)) : [path],
);
const lookaheads = values.lookahead.split(',').map(Number);

// The mel peak of a full-scale 1 kHz sine (int16 32767) is 113.19 dB; speech clips peak at about 92-112 dB.
const policies = values.policies.split(',').map((name) => {
  const [kind, value] = name.split(':');
  const peak = (clipPeak: number): LiveMelPeak => {
    if (kind === 'clip') return { policy: 'fixed', peak: clipPeak };
    if (kind === 'fixed') return { policy: 'fixed', peak: Number(value) };
    return value === undefined ? { policy: 'running' } : { policy: 'running', initial: Number(value) };
  };
  return { name, peak };
});

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

const frontEnd = await createAudioFrontEnd({
  melModel: new URL('../../models/audio/melspectrogram.onnx', import.meta.url).pathname,
  embeddingModel: new URL('../../models/audio/embedding_model.onnx', import.meta.url).pathname,
  providers: ['cpu'],
});
const errors = new Map<string, { l2: number[]; cosine: number[] }>();
let seconds = 0;
try {
  for (const file of files) {
    const { samples } = await decodeAudio(file, { minSeconds: 0 });
    seconds += samples.length / 16000;
    const batch = await frontEnd.features(samples);
    for (const policy of policies) {
      for (const lookaheadMs of lookaheads) {
        const stream = frontEnd.featureStream({ lookaheadMs, melPeak: policy.peak(batch.melPeak) });
        stream.push(samples);
        stream.end();
        const live = (await stream.rows(0, stream.total!)).data;
        const key = `${policy.name}|${lookaheadMs}`;
        const entry = errors.get(key) ?? { l2: [], cosine: [] };
        errors.set(key, entry);
        for (let t = 0; t < batch.frameCount; t++) {
          let dot = 0;
          let bb = 0;
          let ll = 0;
          let dd = 0;
          for (let i = t * FEATURE_DIM; i < (t + 1) * FEATURE_DIM; i++) {
            const b = batch.data[i]!;
            const l = live[i]!;
            dot += b * l;
            bb += b * b;
            ll += l * l;
            dd += (b - l) * (b - l);
          }
          entry.l2.push(Math.sqrt(dd / bb));
          entry.cosine.push(dot / Math.sqrt(bb * ll));
        }
      }
    }
  }
} finally {
  await frontEnd.close();
}
console.log(`${files.length} clips, ${seconds.toFixed(1)} s, ${[...errors.values()][0]?.l2.length ?? 0} rows each`);
console.log('| peak policy | look-ahead ms | rel. L2 p50 | rel. L2 p95 | cosine p50 | cosine p5 |');
console.log('|---|---|---|---|---|---|');
for (const [key, entry] of errors) {
  const [name, lookahead] = key.split('|');
  const l2 = entry.l2.sort((a, b) => a - b);
  const cosine = entry.cosine.sort((a, b) => a - b);
  console.log(`| ${name} | ${lookahead} | ${percentile(l2, 0.5).toFixed(4)} | ${percentile(l2, 0.95).toFixed(4)} | ${percentile(cosine, 0.5).toFixed(4)} | ${percentile(cosine, 0.05).toFixed(4)} |`);
}
