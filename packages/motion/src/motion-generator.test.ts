import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createAudioFrontEnd, type AudioFeatures } from '@portrait-farm/audio-features';
import { CHANNEL, MOTION_CHANNEL_COUNT as C } from '@portrait-farm/contracts';
import { loadModelPack, type ModelPack } from '@portrait-farm/model-pack';
import { createModelSession } from '@portrait-farm/model-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMotionGenerator, type MotionGenerator } from './motion-generator.ts';
import { writeTestPack } from '@portrait-farm/test-support/test-pack';

const W = 50;
const K = 10;
const dirs: string[] = [];
const generators: MotionGenerator[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pf-motion-'));
  dirs.push(dir);
  return dir;
}

/** 13.3 s alternating 1 s of voiced tone bursts and 1 s of digital silence. */
function testAudio(): Float32Array {
  const samples = new Float32Array(Math.round(13.3 * 16000));
  for (let i = 0; i < samples.length; i++) {
    const t = i / 16000;
    if (Math.floor(t) % 2 === 1) continue;
    const envelope = 0.5 - 0.5 * Math.cos(2 * Math.PI * 5 * t);
    samples[i] = 0.3 * envelope * (Math.sin(2 * Math.PI * 180 * t) + 0.5 * Math.sin(2 * Math.PI * 540 * t + 1));
  }
  return samples;
}

const same = (a: Float32Array, b: Float32Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('createMotionGenerator', () => {
  let pack: ModelPack;
  let packDir: string;
  let features: AudioFeatures;
  let generator: MotionGenerator;

  beforeAll(async () => {
    packDir = writeTestPack(tempDir()).dir;
    pack = await loadModelPack(packDir);
    const frontEnd = await createAudioFrontEnd({ melModel: pack.audio.mel, embeddingModel: pack.audio.embedding, providers: ['cpu'] });
    features = await frontEnd.features(testAudio());
    await frontEnd.close();
    generator = await createMotionGenerator(pack, null, { seed: 7 });
    generators.push(generator);
  });
  afterAll(async () => {
    for (const g of generators) await g.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('generates a track at the pack fps trimmed to the audio frames', async () => {
    expect(generator).toMatchObject({ steps: 6, solver: 'dpmpp-2m', guidance: 2, seed: 7 });
    const track = await generator.generateAll(features);
    expect(features.frameCount).toBe(333);
    expect(track.fps).toBe(25);
    expect(track.frameCount).toBe(333);
    expect(track.data.length).toBe(333 * C);
    expect(track.data.every(Number.isFinite)).toBe(true);
  });

  it('gives bit-identical motion for any grouping of windows into segments', async () => {
    const whole = (await generator.generateAll(features)).data;
    for (const grouping of [[1, 1, 1, 1, 1, 1, 1], [2, 3, 2], [3, 4]]) {
      const parts: Float32Array[] = [];
      let tail: Float32Array | null = null;
      let first = 0;
      for (const count of grouping) {
        const segment = await generator.generateSegment({ firstWindow: first, windowCount: count, features, tail });
        parts.push(segment.motion);
        tail = segment.tail;
        first += count;
      }
      const joined = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
      parts.reduce((offset, p) => (joined.set(p, offset), offset + p.length), 0);
      expect(same(joined.subarray(0, whole.length), whole), `grouping ${grouping.join(',')}`).toBe(true);
    }
  });

  it('gives the same bits in a fresh process and with a session the caller opened', async () => {
    const whole = (await generator.generateAll(features)).data;
    const dir = tempDir();
    const featuresPath = join(dir, 'features.f32');
    writeFileSync(featuresPath, Buffer.from(features.data.buffer, features.data.byteOffset, features.data.byteLength));
    const outPath = join(dir, 'motion.f32');
    const child = fileURLToPath(new URL('./testing/generate-motion-child.ts', import.meta.url));
    await promisify(execFile)(process.execPath, ['--conditions=portrait-farm-source', '--import', 'tsx', child, JSON.stringify({ packDir, featuresPath, frameCount: features.frameCount, seed: 7, outPath })]);
    const bytes = readFileSync(outPath);
    expect(bytes.equals(Buffer.from(whole.buffer, whole.byteOffset, whole.byteLength))).toBe(true);

    const session = await createModelSession(pack.denoiser.file, { providers: ['cpu'] });
    const shared = await createMotionGenerator(pack, session, { seed: 7 });
    expect(same((await shared.generateAll(features)).data, whole)).toBe(true);
    await shared.close();
    await session.close();
  });

  it('depends on the seed', async () => {
    const other = await createMotionGenerator(pack, null, { seed: 8 });
    generators.push(other);
    const a = await generator.generateWindow(0, features, null);
    const b = await other.generateWindow(0, features, null);
    expect(same(a.motion, b.motion)).toBe(false);
  });

  it('follows the audio through guidance: jaw opens on speech, not on silence; unconditional ignores audio', async () => {
    const jawBy = (data: Float32Array): { speech: number; silence: number } => {
      const sums: Record<'speech' | 'silence', [number, number]> = { speech: [0, 0], silence: [0, 0] };
      for (let f = 0; f < features.frameCount; f++) {
        const second = Math.floor(f / 25);
        if (f % 25 < 5 || f % 25 > 20) continue;
        const bucket = second % 2 === 0 ? sums.speech : sums.silence;
        bucket[0] += data[f * C + CHANNEL.jaw_open]!;
        bucket[1] += 1;
      }
      return { speech: sums.speech[0] / sums.speech[1], silence: sums.silence[0] / sums.silence[1] };
    };
    const guided = jawBy((await generator.generateAll(features)).data);
    expect(guided.speech - guided.silence).toBeGreaterThan(0.1);
    const unconditional = await createMotionGenerator(pack, null, { seed: 7, guidance: 0 });
    generators.push(unconditional);
    const flat = jawBy((await unconditional.generateAll(features)).data);
    expect(Math.abs(flat.speech - flat.silence)).toBeLessThan(0.2 * (guided.speech - guided.silence));
  });

  it('runs eps and v packs with DDIM', async () => {
    for (const prediction of ['eps', 'v'] as const) {
      const other = await loadModelPack(writeTestPack(tempDir(), { prediction }).dir);
      const g = await createMotionGenerator(other, null, { solver: 'ddim', steps: 4, silenceFeature: new Float32Array(224) });
      generators.push(g);
      const { motion, tail } = await g.generateWindow(0, features, null);
      expect(motion.every(Number.isFinite)).toBe(true);
      expect(tail.length).toBe(K * C);
    }
  });

  it('names wrong windows, tails, features and options', async () => {
    await expect(generator.generateWindow(1, features, null)).rejects.toThrow(`window 1 needs the tail of window 0 (its last ${K} normalised frames). Passed: null`);
    await expect(generator.generateWindow(0, features, new Float32Array(K * C))).rejects.toThrow('window 0 has no context: its tail must be null. Passed: a tail');
    await expect(generator.generateWindow(2, features, new Float32Array(5))).rejects.toThrow(`a tail must hold ${K} frames of ${C} channels (${K * C} values). Passed: 5 values`);
    await expect(generator.generateWindow(0, { frameCount: 2, dim: 128, data: new Float32Array(256) }, null)).rejects.toThrow(
      'audio features must have 224 values per frame (pack audio.feature_dim). Passed: 128',
    );
    const silence = new Float32Array(224);
    await expect(createMotionGenerator(pack, null, { guidance: -1, silenceFeature: silence })).rejects.toThrow('guidance must be between 0 and 20. Passed: -1');
    await expect(createMotionGenerator(pack, null, { steps: 0, silenceFeature: silence })).rejects.toThrow('steps must be an integer between 1 and 1000. Passed: 0');
    await expect(createMotionGenerator(pack, null, { solver: 'euler' as 'ddim', silenceFeature: silence })).rejects.toThrow('solver must be one of ddim, dpmpp-2m. Passed: euler');
  });

  it('denoises a window quickly on CPU (reports ms per window, 12 DPM-Solver++ steps, B=2 per call)', async () => {
    const timed = await createMotionGenerator(pack, null, { steps: 12, solver: 'dpmpp-2m', seed: 1 });
    generators.push(timed);
    await timed.generateWindow(0, features, null);
    const times: number[] = [];
    let tail = (await timed.generateWindow(0, features, null)).tail;
    for (let i = 1; i <= 5; i++) {
      const started = performance.now();
      tail = (await timed.generateWindow(i, features, tail)).tail;
      times.push(performance.now() - started);
    }
    const median = times.sort((a, b) => a - b)[2]!;
    console.log(`motion: ${median.toFixed(1)} ms per window of ${W} frames (12 steps dpmpp-2m, test denoiser, cpu, median of 5)`);
    expect(median).toBeLessThan(5000);
  });
});
