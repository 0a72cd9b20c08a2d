// npx tsx --conditions=portrait-farm-source test/bench/live-motion.ts [--clips N] [--configs HOP:LOOKAHEAD:STEPS@FEATURE_MS,...] [--noise frame|step] [--live-pack DIR] FILE_OR_FOLDER...
// What streaming does to the speech motion, without the clock: for each clip, the batch motion (whole-clip rows,
// every window in turn, models/starter's default steps, seed 0) against a live session's motion for each
// configuration: live feature rows (featureStream with the look-ahead given, running peak), a SpeechStepper that
// denoises a whole window per hop after the rows it waits for, its context the idle motion before speech. Reports
// per configuration the mean absolute difference of jaw_open, lips_part and lips_press, how many of the batch
// motion's lip closures (runs of frames whose lip gap is at most SEALED_GAP: the p/b/m seals the renderer draws) the
// live motion keeps within a frame, the live motion's closures per batch closure, the head's spread (yaw std) against
// the batch's, and the denoiser's CPU per second of audio. Where a clip has its phone timing beside it
// (CLIP.phones.json, as the evaluation sets write), also how many of its p/b/m the batch and the live motion seal.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createAudioFrontEnd } from '@portrait-farm/audio-features';
import { CHANNEL, MOTION_CHANNEL_COUNT as C, SEALED_GAP, lipGap } from '@portrait-farm/contracts';
import { SpeechStepper } from '@portrait-farm/live';
import { framesOf, phoneClass, type TimedPhone } from '@portrait-farm/evaluation';
import { decodeAudio } from '@portrait-farm/media';
import { loadModelPack } from '@portrait-farm/model-pack';
import { createModelSession } from '@portrait-farm/model-runtime';
import { createIdleMotion, createMotionGenerator } from '@portrait-farm/motion';
import { STARTER_PACK } from '@portrait-farm/test-support/repo-models';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    clips: { type: 'string', default: '6' },
    configs: { type: 'string', default: '4:2:12@80,2:0:12@80,2:1:12@80,2:1:12@40,3:1:8@80,2:1:6@80,2:0:6@40' },
    noise: { type: 'string', default: 'frame' },
    'live-pack': { type: 'string' },
  },
});
const fixtures = new URL('../fixtures/', import.meta.url).pathname;
const inputs = positionals.length > 0 ? positionals : [join(fixtures, 'speech-3s.wav'), join(fixtures, 'demo-speech-20s.ogg')];
const files = inputs.flatMap((path) =>
  statSync(path).isDirectory() ? readdirSync(path).filter((name) => /\.(wav|ogg|mp3|m4a)$/.test(name)).sort().slice(0, Number(values.clips)).map((name) => join(path, name)) : [path],
);
const configs = values.configs.split(',').map((text) => {
  const [shape, feature] = text.split('@');
  const [hop, lookahead, steps] = shape!.split(':').map(Number);
  return { text, hop: hop!, lookahead: lookahead!, steps: steps!, featureMs: Number(feature) };
});

const pack = await loadModelPack(STARTER_PACK);
const frontEnd = await createAudioFrontEnd({ melModel: pack.audio.mel, embeddingModel: pack.audio.embedding, providers: ['cpu'] });
const denoiser = await createModelSession(pack.denoiser.file, { providers: ['cpu'] });
// --live-pack: the live motion from a pack's model for sessions (its live_denoiser, else its denoiser) and its
// normalisation, the batch motion it is compared with still from models/starter's denoiser.
const livePack = values['live-pack'] === undefined ? pack : await loadModelPack(values['live-pack']);
const liveModelFile = values['live-pack'] === undefined ? pack.denoiser.file : (livePack.liveDenoiser?.file ?? livePack.denoiser.file);
const liveDenoiser = liveModelFile === pack.denoiser.file ? denoiser : await createModelSession(liveModelFile, { providers: ['cpu'] });
const silence = await frontEnd.silenceFeature();
const MOUTH = [CHANNEL.jaw_open, CHANNEL.lips_part, CHANNEL.lips_press];

function closures(motion: Float32Array): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (let t = 0; t < motion.length / C; t++) {
    if (lipGap(motion, t * C) > SEALED_GAP) continue;
    const last = runs.at(-1);
    if (last !== undefined && last[1] === t) last[1] = t + 1;
    else runs.push([t, t + 1]);
  }
  return runs;
}

function sealedNear(motion: Float32Array, [first, end]: [number, number]): boolean {
  for (let t = Math.max(0, first - 1); t < Math.min(motion.length / C, end + 1); t++) if (lipGap(motion, t * C) <= SEALED_GAP) return true;
  return false;
}

/** The clip's phone timing, where the evaluation set wrote one beside it (CLIP.phones.json). */
function phonesOf(file: string): TimedPhone[] | null {
  const path = file.replace(/\.[a-z0-9]+$/, '.phones.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as TimedPhone[]) : null;
}

/** Of the clip's p/b/m, how many the motion seals (lip gap at most SEALED_GAP within a frame of the phone). */
function bilabialsSealed(motion: Float32Array, phones: readonly TimedPhone[]): { total: number; sealed: number } {
  const frames = motion.length / C;
  let total = 0;
  let sealed = 0;
  for (const phone of phones) {
    if (phoneClass(phone.phone) !== 'bilabial') continue;
    const span = framesOf(phone, 25, frames, 1);
    if (span.length === 0) continue;
    total += 1;
    if (span.some((t) => lipGap(motion, t * C) <= SEALED_GAP)) sealed += 1;
  }
  return { total, sealed };
}

function std(motion: Float32Array, channel: number): number {
  const n = motion.length / C;
  let sum = 0;
  let sq = 0;
  for (let t = 0; t < n; t++) {
    sum += motion[t * C + channel]!;
    sq += motion[t * C + channel]! ** 2;
  }
  return Math.sqrt(Math.max(0, sq / n - (sum / n) ** 2));
}

/** A live session's speech motion for the clip: rows as they would arrive, one hop per step. */
async function liveMotion(samples: Float32Array, config: (typeof configs)[number]): Promise<{ motion: Float32Array; cpuMs: number }> {
  const generator = await createMotionGenerator(livePack, liveDenoiser, { silenceFeature: silence, seed: 0, steps: config.steps });
  const stepper = new SpeechStepper(
    generator,
    { window: livePack.denoiser.window, context: livePack.denoiser.context, channelMean: livePack.channelMean, channelStd: livePack.channelStd, silence },
    { hopFrames: config.hop, lookaheadFrames: config.lookahead, noise: values.noise as 'frame' | 'step' },
  );
  const rest = createIdleMotion({ seed: 0, channelMean: livePack.channelMean, channelStd: livePack.channelStd });
  const idle = new Float32Array(livePack.denoiser.context * C);
  for (let i = 0; i < 25; i++) idle.copyWithin(0, C).set(rest.next('idle'), idle.length - C);
  stepper.begin(idle);
  // The whole clip's live rows: each row depends on the audio and the look-ahead only (audio-features' tests).
  const stream = frontEnd.featureStream({ lookaheadMs: config.featureMs });
  stream.push(samples);
  stream.end();
  const total = stream.total!;
  const rows = (await stream.rows(0, total)).data;
  const frames: Float32Array[] = [];
  const started = process.cpuUsage();
  // Each step sees only the rows that would have arrived: its hop and look-ahead (all of them after the end).
  while (stepper.nextFrame < total) {
    const available = Math.min(total, stepper.rowsNeeded(true));
    const ended = available === total && stepper.nextFrame + config.hop + config.lookahead >= total;
    frames.push(await stepper.step({ available, dim: 224, totalFrames: ended ? total : null, row: (f) => rows.subarray(f * 224, (f + 1) * 224) }));
  }
  const used = process.cpuUsage(started);
  await generator.close();
  const motion = new Float32Array(total * C);
  let at = 0;
  for (const f of frames) {
    motion.set(f, at);
    at += f.length;
  }
  return { motion, cpuMs: (used.user + used.system) / 1000 };
}

const totals = configs.map(() => ({ mae: 0, frames: 0, kept: 0, batchClosures: 0, liveClosures: 0, yawRatio: 0, cpuMs: 0, seconds: 0, clips: 0, bilabials: 0, sealed: 0 }));
const batchPhones = { bilabials: 0, sealed: 0 };
for (const file of files) {
  const samples = (await decodeAudio(file)).samples;
  const features = await frontEnd.features(samples);
  const generator = await createMotionGenerator(pack, denoiser, { silenceFeature: silence, seed: 0 });
  const batch = (await generator.generateAll(features)).data;
  await generator.close();
  const reference = closures(batch);
  const phones = phonesOf(file);
  if (phones !== null) {
    const scored = bilabialsSealed(batch, phones);
    batchPhones.bilabials += scored.total;
    batchPhones.sealed += scored.sealed;
  }
  for (const [i, config] of configs.entries()) {
    const { motion, cpuMs } = await liveMotion(samples, config);
    const t = totals[i]!;
    const n = Math.min(batch.length, motion.length) / C;
    for (let f = 0; f < n; f++) for (const c of MOUTH) t.mae += Math.abs(batch[f * C + c]! - motion[f * C + c]!);
    t.frames += n;
    t.kept += reference.filter((run) => sealedNear(motion, run)).length;
    t.batchClosures += reference.length;
    t.liveClosures += closures(motion).length;
    t.yawRatio += std(motion, CHANNEL.head_yaw) / Math.max(1e-9, std(batch, CHANNEL.head_yaw));
    t.cpuMs += cpuMs;
    if (phones !== null) {
      const scored = bilabialsSealed(motion, phones);
      t.bilabials += scored.total;
      t.sealed += scored.sealed;
    }
    t.seconds += samples.length / 16000;
    t.clips += 1;
  }
  process.stderr.write('.');
}
process.stderr.write('\n');
console.log(`${files.length} clip(s); batch: ${pack.denoiser.defaultSteps} steps, seed 0; live window noise keyed by ${values.noise}`);
const percent = (part: number, whole: number): string => `${part}/${whole} (${((100 * part) / Math.max(1, whole)).toFixed(1)} %)`;
if (batchPhones.bilabials > 0) console.log(`batch motion: p/b/m of the clips' phone timing sealed ${percent(batchPhones.sealed, batchPhones.bilabials)}`);
console.log('| hop:look-ahead:steps @ feature look-ahead | mouth MAE | batch closures kept | live/batch closures | p/b/m sealed (phone timing) | head yaw std / batch | denoiser CPU-ms per s of audio |');
console.log('|---|---|---|---|---|---|---|');
for (const [i, config] of configs.entries()) {
  const t = totals[i]!;
  console.log(
    `| ${config.hop}:${config.lookahead}:${config.steps} @ ${config.featureMs} ms | ${(t.mae / (t.frames * MOUTH.length)).toFixed(4)} | ${t.kept}/${t.batchClosures} (${((100 * t.kept) / Math.max(1, t.batchClosures)).toFixed(1)} %) | ${(t.liveClosures / Math.max(1, t.batchClosures)).toFixed(2)} | ${t.bilabials > 0 ? percent(t.sealed, t.bilabials) : '-'} | ${(t.yawRatio / t.clips).toFixed(2)} | ${(t.cpuMs / t.seconds).toFixed(0)} |`,
  );
}
await denoiser.close();
if (liveDenoiser !== denoiser) await liveDenoiser.close();
await frontEnd.close();
