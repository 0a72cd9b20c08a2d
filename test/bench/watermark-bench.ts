// npm run bench:watermark [-- --trials3 N --trials10 N --fp-trials N --attacks A0,A5]   (defaults 8, 2, 10000, all)
// Embeds the watermark in a 512x512 portrait clip (test/fixtures/astronaut.png with per-frame motion of a few pixels
// and sensor noise), encodes it with the worker's video encoder (packages/media, H264_SETTINGS: libx264 crf 20) = A0, applies the attack suite of issue 12 (each followed
// by libx264 at 500 kbit/s at the attacked resolution), detects, and prints a table per attack and clip length.
// False positives: clean (never watermarked) clips are decoded once, and each trial tests them with a different
// random key: with a random key the sync signs are independent fair coins, so each trial is an independent test of
// the same null hypothesis the threshold is set for.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { createVideoEncoder, H264_SETTINGS, readVideoFrames } from '@portrait-farm/media';
import {
  AGREEMENT_THRESHOLD, CODED_BITS, detectInEvidence, embedWatermark, encodeCodeword, HYPOTHESES, logBinomialTail,
  SYNC_CHIPS, TARGET_FALSE_POSITIVE_RATE, WatermarkDetector,
} from '@portrait-farm/watermark';

const { values } = parseArgs({ options: {
  trials3: { type: 'string', default: '8' }, trials10: { type: 'string', default: '2' },
  'fp-trials': { type: 'string', default: '10000' }, attacks: { type: 'string', default: 'A0,A1,A2,A3,A4,A5' },
} });
const FPS = 25;
const SIZE = 512;
const KEY = 'bench-key';
const rand = (a: number, b: number) => a + Math.random() * (b - a);

function run(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ['-nostdin', '-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg ${args.join(' ')}: ${err}`))));
  });
}

const base = new Uint8Array((await sharp('test/fixtures/astronaut.png').removeAlpha().resize(SIZE, SIZE).raw().toBuffer()));

/** Frame i of a clip: the portrait shifted by a slow sub-10-pixel motion, plus noise (sigma ~2). */
function sourceFrame(i: number, phase: number): Uint8Array {
  const dx = Math.round(3 * Math.sin(i / 9 + phase));
  const dy = Math.round(2 * Math.sin(i / 13 + 2 * phase));
  const out = new Uint8Array(base.length);
  for (let y = 0; y < SIZE; y += 1) {
    const sy = Math.min(SIZE - 1, Math.max(0, y + dy));
    for (let x = 0; x < SIZE; x += 1) {
      const sx = Math.min(SIZE - 1, Math.max(0, x + dx));
      const s = (sy * SIZE + sx) * 3;
      const d = (y * SIZE + x) * 3;
      const n = Math.round((Math.random() + Math.random() + Math.random() - 1.5) * 2.8);
      for (let c = 0; c < 3; c += 1) out[d + c] = Math.min(255, Math.max(0, (base[s + c] ?? 0) + n));
    }
  }
  return out;
}

function psnrY(a: Uint8Array, b: Uint8Array): number {
  let mse = 0;
  for (let p = 0; p < a.length; p += 3) {
    const e = 0.299 * ((a[p] ?? 0) - (b[p] ?? 0)) + 0.587 * ((a[p + 1] ?? 0) - (b[p + 1] ?? 0)) + 0.114 * ((a[p + 2] ?? 0) - (b[p + 2] ?? 0));
    mse += e * e;
  }
  return 10 * Math.log10((255 * 255) / (mse / (a.length / 3)));
}

/** Writes a clip (watermarked unless payload is null) with the worker's video encoder and settings (A0). */
async function makeClip(out: string, frames: number, payload: Uint8Array | null, stats: { embedMs: number; psnr: number[] }) {
  const phase = rand(0, 6);
  const encoder = createVideoEncoder({ out, width: SIZE, height: SIZE, fps: FPS });
  for (let i = 0; i < frames; i += 1) {
    const clean = sourceFrame(i, phase);
    if (payload === null) { await encoder.write(clean); continue; }
    const frame = { width: SIZE, height: SIZE, data: Uint8Array.from(clean) };
    const t = performance.now();
    embedWatermark(frame, payload, i, { key: KEY });
    stats.embedMs += performance.now() - t;
    if (i % 25 === 0) stats.psnr.push(psnrY(clean, frame.data));
    await encoder.write(frame.data);
  }
  await encoder.finish();
}

function attackFilter(name: string): string | null {
  const cw = Math.round(SIZE * 0.9 / 2) * 2;
  const ox = Math.floor(rand(0, SIZE - cw));
  const oy = Math.floor(rand(0, SIZE - cw));
  const crop = `crop=${cw}:${cw}:${ox}:${oy}`;
  const colour = `eq=brightness=${rand(-0.2, 0.2).toFixed(3)}:contrast=${rand(0.8, 1.2).toFixed(3)}:saturation=${rand(0.7, 1.3).toFixed(3)}:gamma=${rand(0.8, 1.25).toFixed(3)},hue=h=${rand(-20, 20).toFixed(1)}`;
  switch (name) {
    case 'A1': return 'null';
    case 'A2': return `scale=${SIZE / 2}:${SIZE / 2}`;
    case 'A3': return crop;
    case 'A4': return colour;
    case 'A5': return `${crop},scale=${cw / 2}:${cw / 2},${colour}`;
    default: return null;
  }
}

async function attack(input: string, name: string, out: string): Promise<string> {
  const filter = attackFilter(name);
  if (filter === null) return input;
  await run(['-i', input, '-vf', filter, '-c:v', 'libx264', '-preset', H264_SETTINGS.preset, '-b:v', '500k', '-pix_fmt', 'yuv420p', out]);
  return out;
}

async function detectorOf(path: string): Promise<{ detector: WatermarkDetector; ms: number }> {
  const video = await readVideoFrames(path);
  const t = performance.now();
  const detector = new WatermarkDetector();
  for (const data of video.frames) detector.addFrame({ width: video.width, height: video.height, data });
  return { detector, ms: performance.now() - t };
}

const started = performance.now();
const dir = await mkdtemp(join(tmpdir(), 'wm-bench-'));
const attacks = values.attacks.split(',');
console.log(`threshold: ${AGREEMENT_THRESHOLD}/${SYNC_CHIPS} sync chips; ${HYPOTHESES} sync hypotheses; per-video FPR bound ${(HYPOTHESES * Math.exp(logBinomialTail(SYNC_CHIPS, AGREEMENT_THRESHOLD))).toExponential(2)} (target ${TARGET_FALSE_POSITIVE_RATE}); then a 32-bit keyed MAC`);
try {
  for (const [seconds, trials] of [[3, Number(values.trials3)], [10, Number(values.trials10)]] as const) {
    const rows = new Map(attacks.map((a) => [a, { bits: 0, exact: 0, n: 0, detectMs: 0, frames: 0, scores: [] as number[] }]));
    const stats = { embedMs: 0, psnr: [] as number[] };
    for (let t = 0; t < trials; t += 1) {
      const payload = new Uint8Array(randomBytes(8));
      const codeword = encodeCodeword(payload, KEY);
      const clip = join(dir, `wm-${seconds}-${t}.mp4`);
      await makeClip(clip, seconds * FPS, payload, stats);
      for (const name of attacks) {
        const path = await attack(clip, name, join(dir, `${name}-${seconds}-${t}.mp4`));
        const { detector, ms } = await detectorOf(path);
        const t0 = performance.now();
        const r = detector.result({ key: KEY });
        const row = rows.get(name)!;
        row.detectMs += ms + performance.now() - t0;
        row.frames += detector.frames;
        row.n += 1;
        row.scores.push(r.score);
        let right = 0;
        codeword.forEach((bit, i) => { if (((r.softBits[i] ?? 0) > 0 ? 1 : 0) === bit) right += 1; });
        row.bits += right / CODED_BITS;
        if (r.found && r.payload !== null && Buffer.from(r.payload).equals(Buffer.from(payload))) row.exact += 1;
      }
    }
    const psnr = stats.psnr.length ? Math.min(...stats.psnr) : NaN;
    console.log(`\n${seconds} s clips (${seconds * FPS} frames, ${SIZE}x${SIZE}), ${trials} trial(s) per attack; PSNR-Y min ${psnr.toFixed(2)} dB, mean ${(stats.psnr.reduce((a, b) => a + b, 0) / stats.psnr.length).toFixed(2)} dB; embed ${(stats.embedMs / (trials * seconds * FPS)).toFixed(1)} ms/frame`);
    console.log('attack | raw bit acc | exact payload | sync score (thr ' + AGREEMENT_THRESHOLD + ') | detect ms/frame');
    for (const [name, r] of rows) {
      console.log(`${name.padEnd(6)} | ${(100 * r.bits / r.n).toFixed(1).padStart(10)} % | ${r.exact}/${r.n} (${(100 * r.exact / r.n).toFixed(0)} %) | ${r.scores.join(',')} | ${(r.detectMs / r.frames).toFixed(1)}`);
    }
  }
  // False positives.
  const fpTrials = Number(values['fp-trials']);
  const cleanClips = 2;
  let positives = 0;
  let maxScore = 0;
  const t0 = performance.now();
  for (let c = 0; c < cleanClips; c += 1) {
    const clip = join(dir, `clean-${c}.mp4`);
    await makeClip(clip, 3 * FPS, null, { embedMs: 0, psnr: [] });
    const path = await attack(clip, c === 0 ? 'A1' : 'A5', join(dir, `clean-att-${c}.mp4`));
    const { detector } = await detectorOf(path);
    const evidence = detector.evidence();
    for (let k = 0; k < fpTrials / cleanClips; k += 1) {
      const r = detectInEvidence(evidence, detector.frames, randomBytes(16));
      if (r.found) positives += 1;
      if (r.score > maxScore) maxScore = r.score;
    }
  }
  console.log(`\nfalse positives: ${positives} of ${fpTrials} clean trials (${cleanClips} never-watermarked 3 s clips after A1 / A5, each tested with ${fpTrials / cleanClips} random keys); highest sync score ${maxScore} (threshold ${AGREEMENT_THRESHOLD}); ${((performance.now() - t0) / fpTrials).toFixed(1)} ms/trial`);
  console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
