// npx tsx --conditions=portrait-farm-source test/bench/feature-stream-motion.ts [--clips N] [--pack DIR] FILE_OR_FOLDER...
// What live feature rows (frontEnd.featureStream) do to the motion: the denoiser (models/starter, its default
// steps, seed 0) over each clip's whole-clip rows and over its live rows for each look-ahead and peak policy, the
// same windows and noise, so only the rows differ. Reports per configuration the mean absolute difference of
// jaw_open, lips_part and lips_press over all frames, and how many of the whole-clip motion's lip closures (runs of
// frames whose lip gap is at most SEALED_GAP: the p/b/m seals the renderer draws) the live motion keeps (a sealed
// frame within one frame of the run).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createAudioFrontEnd, type LiveMelPeak } from '@portrait-farm/audio-features';
import { CHANNEL, MOTION_CHANNEL_COUNT, SEALED_GAP, lipGap, type MotionTrack } from '@portrait-farm/contracts';
import { decodeAudio } from '@portrait-farm/media';
import { loadModelPack } from '@portrait-farm/model-pack';
import { createMotionGenerator } from '@portrait-farm/motion';
import { STARTER_PACK } from '@portrait-farm/test-support/repo-models';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    clips: { type: 'string', default: '5' },
    pack: { type: 'string', default: STARTER_PACK },
    // POLICY@LOOKAHEAD_MS, POLICY as in feature-stream-rows.ts: clip, fixed:DB, running, running:DB.
    configs: { type: 'string', default: 'running:95@40,running:95@80,running:95@120,running:95@160,running@80,fixed:113.19@80,fixed:113.19@160' },
  },
});
const fixtures = new URL('../fixtures/', import.meta.url).pathname;
const inputs = positionals.length > 0 ? positionals : [join(fixtures, 'speech-3s.wav'), join(fixtures, 'demo-speech-20s.ogg')];
const files = inputs.flatMap((path) =>
  statSync(path).isDirectory() ? readdirSync(path).filter((name) => name.endsWith('.wav')).sort().slice(0, Number(values.clips)).map((name) => join(path, name)) : [path],
);
function peakPolicy(name: string, clipPeak: number): LiveMelPeak {
  const [kind, value] = name.split(':');
  if (kind === 'clip') return { policy: 'fixed', peak: clipPeak };
  if (kind === 'fixed') return { policy: 'fixed', peak: Number(value) };
  return value === undefined ? { policy: 'running' } : { policy: 'running', initial: Number(value) };
}
const configs = values.configs.split(',').map((config) => {
  const [policy, lookahead] = config.split('@');
  return { name: config, policy: policy!, lookaheadMs: Number(lookahead) };
});

/** Runs of sealed frames: [first, end) each. */
function closures(track: MotionTrack): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (let t = 0; t < track.frameCount; t++) {
    if (lipGap(track.data, t * MOTION_CHANNEL_COUNT) > SEALED_GAP) continue;
    const last = runs.at(-1);
    if (last !== undefined && last[1] === t) last[1] = t + 1;
    else runs.push([t, t + 1]);
  }
  return runs;
}

function sealedNear(track: MotionTrack, [first, end]: [number, number]): boolean {
  for (let t = Math.max(0, first - 1); t < Math.min(track.frameCount, end + 1); t++) {
    if (lipGap(track.data, t * MOTION_CHANNEL_COUNT) <= SEALED_GAP) return true;
  }
  return false;
}

const pack = await loadModelPack(values.pack);
const frontEnd = await createAudioFrontEnd({ melModel: pack.audio.mel, embeddingModel: pack.audio.embedding, providers: ['cpu'] });
const silenceFeature = await frontEnd.silenceFeature();
const generator = await createMotionGenerator(pack, null, { seed: 0, silenceFeature });
// The same rows with another seed: how much the motion differs anyway, the scale to read the differences against.
const otherSeed = await createMotionGenerator(pack, null, { seed: 1, silenceFeature });
const SEED_1 = 'whole-clip rows, seed 1';
const mouth = ['jaw_open', 'lips_part', 'lips_press'] as const;
const totals = new Map([SEED_1, ...configs.map((config) => config.name)].map((name) => [name, { diff: [0, 0, 0], kept: 0 }]));
let frames = 0;
let sealedRuns = 0;
try {
  for (const file of files) {
    const { samples } = await decodeAudio(file, { minSeconds: 0 });
    const batch = await frontEnd.features(samples);
    const reference = await generator.generateAll({ frameCount: batch.frameCount, dim: 224, data: batch.data });
    const runs = closures(reference);
    frames += reference.frameCount;
    sealedRuns += runs.length;
    const compare = (name: string, motion: MotionTrack): void => {
      const total = totals.get(name)!;
      for (let t = 0; t < reference.frameCount; t++) {
        mouth.forEach((channel, i) => {
          const at = t * MOTION_CHANNEL_COUNT + CHANNEL[channel];
          total.diff[i]! += Math.abs(motion.data[at]! - reference.data[at]!);
        });
      }
      total.kept += runs.filter((run) => sealedNear(motion, run)).length;
    };
    compare(SEED_1, await otherSeed.generateAll({ frameCount: batch.frameCount, dim: 224, data: batch.data }));
    for (const config of configs) {
      const stream = frontEnd.featureStream({ lookaheadMs: config.lookaheadMs, melPeak: peakPolicy(config.policy, batch.melPeak) });
      stream.push(samples);
      stream.end();
      const live = await stream.rows(0, stream.total!);
      compare(config.name, await generator.generateAll({ frameCount: live.frameCount, dim: 224, data: live.data }));
    }
    console.error(`${file.split('/').pop()}: ${reference.frameCount} frames, ${runs.length} closures`);
  }
} finally {
  await generator.close();
  await otherSeed.close();
  await frontEnd.close();
}
console.log(`${files.length} clips, ${frames} frames, ${sealedRuns} lip closures in the whole-clip motion`);
console.log('| live rows | jaw_open | lips_part | lips_press | closures kept |');
console.log('|---|---|---|---|---|');
for (const [name, total] of totals) {
  const [a, b, c] = total.diff.map((sum) => (sum / frames).toFixed(4));
  console.log(`| ${name} | ${a} | ${b} | ${c} | ${total.kept} / ${sealedRuns} |`);
}
