import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAudioFrontEnd, type AudioFeatures, type AudioFrontEnd } from './audio-front-end.ts';
import type { FeatureStream } from './feature-stream.ts';
import { FEATURE_DIM, SAMPLES_PER_FRAME, frameCount } from './front-end-layout.ts';

const modelsDir = new URL('../../../models/audio/', import.meta.url);
const melModel = fileURLToPath(new URL('melspectrogram.onnx', modelsDir));
const embeddingModel = fileURLToPath(new URL('embedding_model.onnx', modelsDir));

const fixture = JSON.parse(readFileSync(new URL('../fixtures/parity-fixture.json', import.meta.url), 'utf8')) as { audio_f32le_b64: string };
const bytes = Buffer.from(fixture.audio_f32le_b64, 'base64');
const clip = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));

/** Pushes `samples` in chunks of the listed sizes (cycled), then ends the utterance and returns all its rows. */
async function streamAll(stream: FeatureStream, samples: Float32Array, sizes: readonly number[]): Promise<Float32Array> {
  const reused = new Float32Array(Math.max(...sizes));
  for (let n = 0, i = 0; n < samples.length; i++) {
    const next = samples.subarray(n, n + sizes[i % sizes.length]!);
    reused.set(next);
    stream.push(reused.subarray(0, next.length));
    reused.fill(Number.NaN);
    n += next.length;
    if (i % 5 === 0) await stream.rows(0, stream.ready);
  }
  stream.end();
  const total = stream.total!;
  return (await stream.rows(0, total)).data;
}

describe('feature stream', () => {
  let frontEnd: AudioFrontEnd;
  let whole: AudioFeatures;
  beforeAll(async () => {
    frontEnd = await createAudioFrontEnd({ melModel, embeddingModel, providers: ['cpu'] });
    whole = await frontEnd.features(clip);
  });
  afterAll(async () => {
    await frontEnd.close();
  });

  it('gives the whole-clip rows bit for bit with full look-ahead and the clip\'s peak, whatever the push sizes', async () => {
    for (const sizes of [[clip.length], [640], [1, 159, 3001, 17], [7919], [320, 1280, 64000]]) {
      for (const lookaheadMs of [176, 200, 400]) {
        const stream = frontEnd.featureStream({ lookaheadMs, melPeak: { policy: 'fixed', peak: whole.melPeak }, maxRowsPerRun: 5 });
        const rows = await streamAll(stream, clip, sizes);
        expect(stream.total).toBe(whole.frameCount);
        expect(rows).toEqual(whole.data);
      }
    }
  });

  it('gives the same rows whatever the push sizes with a short look-ahead and a running peak', async () => {
    for (const lookaheadMs of [0, 40, 120]) {
      const results: Float32Array[] = [];
      for (const sizes of [[clip.length], [1, 159, 3001, 17], [640], [320]]) {
        results.push(await streamAll(frontEnd.featureStream({ lookaheadMs, melPeak: { policy: 'running' } }), clip, sizes));
      }
      for (const rows of results.slice(1)) expect(rows).toEqual(results[0]);
      const stream = frontEnd.featureStream({ lookaheadMs, melPeak: { policy: 'running' } });
      expect(stream.melPeak).toBeNull();
      expect(await streamAll(stream, clip, [2000])).toEqual(results[0]);
      // Once the utterance has ended, the running peak has seen every block the whole-clip peak is taken over.
      expect(stream.melPeak).toBe(whole.melPeak);
      expect(results[0]!.length).toBe(whole.data.length);
      expect(results[0]).not.toEqual(whole.data);
    }
  });

  it('computes a row once the audio up to its look-ahead has arrived, not before', async () => {
    const lookaheadMs = 80;
    const stream = frontEnd.featureStream({ lookaheadMs, melPeak: { policy: 'fixed', peak: whole.melPeak } });
    const cut = (frame: number): number => frame * SAMPLES_PER_FRAME + SAMPLES_PER_FRAME / 2 + lookaheadMs * 16;
    stream.push(clip.subarray(0, cut(5) - 1));
    await stream.rows(0, 5);
    expect(stream.ready).toBe(5);
    const sixth = stream.rows(5, 6);
    stream.push(clip.subarray(cut(5) - 1, cut(5)));
    expect((await sixth).startFrame).toBe(5);
    expect(stream.ready).toBe(6);
    expect(stream.total).toBeNull();
    stream.end();
    expect(stream.total).toBe(frameCount(cut(5)));
    expect((await stream.rows(0, stream.total!)).frameCount).toBe(stream.total);
    await expect(stream.rows(0, stream.total! + 1)).rejects.toMatchObject({ code: 'AUDIO_FEATURES_BAD_RANGE' });
    expect(() => stream.push(clip.subarray(0, 10))).toThrow(expect.objectContaining({ code: 'AUDIO_FEATURES_STREAM_ENDED' }));
  });

  it('drops the utterance on reset and starts the next one afresh', async () => {
    const options = { lookaheadMs: 40, melPeak: { policy: 'running' } } as const;
    const expected = await streamAll(frontEnd.featureStream(options), clip, [4000]);
    const stream = frontEnd.featureStream(options);
    stream.push(clip.subarray(5000, 20000));
    const dropped = stream.rows(0, 40);
    stream.reset();
    await expect(dropped).rejects.toMatchObject({ code: 'AUDIO_FEATURES_STREAM_RESET' });
    expect(stream.ready).toBe(0);
    expect(stream.received).toBe(0);
    expect(await streamAll(stream, clip, [4000])).toEqual(expected);
  });

  it('releases rows already read and says which are held', async () => {
    const stream = frontEnd.featureStream({ lookaheadMs: 0 });
    stream.push(clip);
    stream.end();
    const all = await stream.rows(0, stream.total!);
    stream.release(20);
    expect(stream.readyRows(20, 22).data).toEqual(all.data.subarray(20 * FEATURE_DIM, 22 * FEATURE_DIM));
    expect(() => stream.readyRows(19, 22)).toThrow('rows [19, 22) are not held: rows [20, 51) are');
    await expect(stream.rows(10, 30)).rejects.toThrow('rows before 20 were released');
  });

  it('names what is wrong with its options and samples', () => {
    expect(() => frontEnd.featureStream({ lookaheadMs: -1 })).toThrow('lookaheadMs must be between 0 and 1000. Passed: -1');
    expect(() => frontEnd.featureStream({ melPeak: { policy: 'fixed', peak: Number.NaN } })).toThrow('melPeak must be a finite number of dB');
    expect(() => frontEnd.featureStream().push(new Float32Array([Number.NaN]))).toThrow('samples must be finite numbers');
  });
});
