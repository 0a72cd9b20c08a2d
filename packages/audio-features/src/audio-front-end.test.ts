import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAudioFrontEnd, type AudioFeatures, type AudioFrontEnd } from './audio-front-end.ts';
import { FEATURE_DIM, frameCount, samplesForFrames, samplesNeeded } from './front-end-layout.ts';

const modelsDir = new URL('../../../models/audio/', import.meta.url);
const melModel = fileURLToPath(new URL('melspectrogram.onnx', modelsDir));
const embeddingModel = fileURLToPath(new URL('embedding_model.onnx', modelsDir));

interface ParityFixture {
  samples: number;
  frames: number;
  dim: number;
  audio_f32le_b64: string;
  features_f32le_b64: string;
  silence_feature_f32le_b64: string;
}

function floats(base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/parity-fixture.json', import.meta.url), 'utf8')) as ParityFixture;
const clip = floats(fixture.audio_f32le_b64);

describe('audio front-end oww-mel-emb-v1', () => {
  let frontEnd: AudioFrontEnd;
  let whole: AudioFeatures;
  beforeAll(async () => {
    frontEnd = await createAudioFrontEnd({ melModel, embeddingModel, providers: ['cpu'] });
    whole = await frontEnd.features(clip);
  });
  afterAll(async () => {
    await frontEnd.close();
  });

  it('matches the Python reference (models/training/portrait_train/features.py)', () => {
    expect(whole.frameCount).toBe(fixture.frames);
    expect(whole.frameCount).toBe(frameCount(clip.length));
    expect(whole.data.length).toBe(fixture.frames * FEATURE_DIM);
    const expected = floats(fixture.features_f32le_b64);
    const error = maxAbsDiff(whole.data, expected);
    const embeddingError = maxAbsDiff(
      whole.data.filter((_, i) => i % FEATURE_DIM < 96),
      expected.filter((_, i) => i % FEATURE_DIM < 96),
    );
    console.log(`audio-features parity: max abs error ${error.toExponential(3)} (embedding part ${embeddingError.toExponential(3)}) over ${whole.data.length} values`);
    expect(error).toBeLessThan(2e-3);
  });

  it('pads with the same silence feature as training', async () => {
    const silence = await frontEnd.silenceFeature();
    expect(maxAbsDiff(silence, floats(fixture.silence_feature_f32le_b64))).toBeLessThan(2e-3);
  });

  it('gives any range of frames bit for bit equal to the whole clip', async () => {
    const ranges: Array<[number, number]> = [[0, 1], [0, 51], [5, 17], [50, 51], [13, 50], [31, 32]];
    for (const [start, end] of ranges) {
      const part = await frontEnd.featuresRange(clip, start, end, { melPeak: whole.melPeak });
      expect(part.frameCount).toBe(end - start);
      expect(part.data).toEqual(whole.data.subarray(start * FEATURE_DIM, end * FEATURE_DIM));
    }
    const defaultPeak = await frontEnd.featuresRange(clip, 7, 9);
    expect(defaultPeak.data).toEqual(whole.data.subarray(7 * FEATURE_DIM, 9 * FEATURE_DIM));
  });

  it('gives rows bit for bit equal to the whole clip from only the stretch of samples they read', async () => {
    const ranges: Array<[number, number]> = [[0, 1], [0, 51], [5, 17], [50, 51], [13, 50], [31, 32]];
    for (const [start, end] of ranges) {
      const needed = samplesForFrames(start, end);
      const from = Math.max(0, needed.start);
      const stretch = { samples: clip.slice(from, Math.min(clip.length, needed.end)), offset: from, clipLength: clip.length };
      const part = await frontEnd.featuresRange(stretch, start, end, { melPeak: whole.melPeak });
      expect(part.data).toEqual(whole.data.subarray(start * FEATURE_DIM, end * FEATURE_DIM));
    }
    const short = { samples: clip.slice(8000, 9000), offset: 8000, clipLength: clip.length };
    await expect(frontEnd.featuresRange(short, 20, 22, { melPeak: whole.melPeak })).rejects.toMatchObject({ code: 'AUDIO_FEATURES_BAD_RANGE' });
    await expect(frontEnd.featuresRange(short, 20, 22)).rejects.toThrow('melPeak is required for a stretch of the clip');
  });

  it('gives the same bits whatever the embedding batch size', async () => {
    const small = await createAudioFrontEnd({ melModel, embeddingModel, providers: ['cpu'], embeddingBatch: 7 });
    try {
      expect((await small.features(clip)).data).toEqual(whole.data);
    } finally {
      await small.close();
    }
  });

  it('computes frames incrementally from the audio received so far', async () => {
    const assembled = new Float32Array(whole.data.length);
    let done = 0;
    for (const step of [3, 1, 9, 20]) {
      const end = Math.min(whole.frameCount, done + step);
      const available = Math.min(clip.length, samplesNeeded(end));
      const prefix = clip.slice(0, available);
      const complete = available === clip.length;
      const rows = await frontEnd.featuresRange(prefix, done, end, { melPeak: whole.melPeak, audioComplete: complete });
      assembled.set(rows.data, done * FEATURE_DIM);
      done = end;
    }
    const rest = await frontEnd.featuresRange(clip, done, whole.frameCount, { melPeak: whole.melPeak });
    assembled.set(rest.data, done * FEATURE_DIM);
    expect(assembled).toEqual(whole.data);
  });

  it('computes the mel peak while the audio arrives, equal to the whole clip\'s', async () => {
    const long = new Float32Array(25 * 16000 + 333);
    for (let i = 0; i < long.length; i++) long[i] = clip[i % clip.length]! * (i > 17 * 16000 && i < 18 * 16000 ? 1.9 : 0.7);
    // 70 s in 30 s pushes: each push outruns the mel model by more than the stream holds unsearched, so it waits.
    const minute = new Float32Array(70 * 16000);
    for (let i = 0; i < minute.length; i++) minute[i] = long[i % long.length]! * (i > 50 * 16000 && i < 51 * 16000 ? 1.2 : 1);
    for (const [samples, chunk] of [[long, 16384], [long.subarray(0, 21 * 16000 + 7), 5000], [clip, 4096], [minute, 30 * 16000]] as const) {
      const stream = frontEnd.melPeakStream();
      const reused = new Float32Array(chunk);
      for (let n = 0; n < samples.length; n += chunk) {
        const next = samples.subarray(n, n + chunk);
        reused.set(next);
        await stream.push(reused.subarray(0, next.length));
        reused.fill(Number.NaN);
      }
      expect(await stream.finish()).toBe(await frontEnd.melPeak(samples));
    }
    const bad = frontEnd.melPeakStream();
    await bad.push(new Float32Array([Number.NaN]));
    await expect(bad.finish()).rejects.toThrow('samples must be finite numbers');
  });

  it('names what is wrong with a request', async () => {
    await expect(frontEnd.featuresRange(clip, 10, 60)).rejects.toThrow(
      "frame range must end at or before the clip's 51 frames (32123 samples). Passed: [10, 60)",
    );
    await expect(frontEnd.featuresRange(clip.slice(0, 1000), 0, 2, { audioComplete: false, melPeak: 0 })).rejects.toMatchObject({
      code: 'AUDIO_FEATURES_NEED_MORE_AUDIO',
      message: `frames [0, 2) need ${samplesNeeded(2)} samples of audio while it is still arriving. Passed: 1000`,
    });
    await expect(frontEnd.features(new Float32Array([0, Number.NaN]))).rejects.toThrow('samples must be finite numbers. Passed: NaN at index 1');
  });

  it('handles empty and very short audio', async () => {
    expect((await frontEnd.features(new Float32Array(0))).frameCount).toBe(0);
    const short = await frontEnd.features(clip.slice(0, 100));
    expect(short.frameCount).toBe(1);
    expect(short.data.every(Number.isFinite)).toBe(true);
  });

  it('computes 20 s of features quickly (reports the median of 3 runs)', async () => {
    const samples = new Float32Array(20 * 16000);
    for (let i = 0; i < samples.length; i++) samples[i] = clip[i % clip.length]!;
    const times: number[] = [];
    for (let run = 0; run < 3; run++) {
      const started = performance.now();
      const features = await frontEnd.features(samples);
      times.push(performance.now() - started);
      expect(features.frameCount).toBe(500);
    }
    const median = times.sort((a, b) => a - b)[1]!;
    console.log(`audio-features: 20 s of audio -> 500 frames in ${median.toFixed(0)} ms (median of 3, cpu)`);
    expect(median).toBeLessThan(20_000);
  });
});
