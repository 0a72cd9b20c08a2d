import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAudioFrontEnd, type AudioFrontEnd } from './audio-front-end.ts';
import { frameCount, samplesForFrames } from './front-end-layout.ts';

const modelsDir = new URL('../../../models/audio/', import.meta.url);
const melModel = fileURLToPath(new URL('melspectrogram.onnx', modelsDir));
const embeddingModel = fileURLToPath(new URL('embedding_model.onnx', modelsDir));
const embeddingSequenceModel = fileURLToPath(new URL('embedding_sequence.onnx', modelsDir));

const fixture = JSON.parse(readFileSync(new URL('../fixtures/parity-fixture.json', import.meta.url), 'utf8')) as { audio_f32le_b64: string };
const bytes = Buffer.from(fixture.audio_f32le_b64, 'base64');
const speech = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

describe('feature rows over the mel sequence (embedding_sequence.onnx)', () => {
  let windowed: AudioFrontEnd;
  let overSequence: AudioFrontEnd;
  beforeAll(async () => {
    windowed = await createAudioFrontEnd({ melModel, embeddingModel, providers: ['cpu'] });
    overSequence = await createAudioFrontEnd({ melModel, embeddingModel, embeddingSequenceModel, embeddingBatch: 7, providers: ['cpu'] });
  });
  afterAll(async () => {
    await Promise.all([windowed.close(), overSequence.close()]);
  });

  it('gives a whole clip the rows of the window model, bit for bit', async () => {
    const [expected, actual] = await Promise.all([windowed.features(speech), overSequence.features(speech)]);
    expect(actual.frameCount).toBe(frameCount(speech.length));
    expect(actual.melPeak).toBe(expected.melPeak);
    expect(sameBits(actual.data, expected.data)).toBe(true);
  });

  it.each([
    [0, 1],
    [3, 4],
    [5, 7],
    [2, 9],
    [1, 23],
  ])('gives frames [%i, %i) of a stretch the same rows at every run size and phase', async (start, end) => {
    const melPeak = await windowed.melPeak(speech);
    const reach = samplesForFrames(start, end);
    const from = Math.max(0, reach.start);
    const stretch = { samples: speech.subarray(from, Math.min(speech.length, reach.end)), offset: from, clipLength: speech.length };
    const [expected, actual] = await Promise.all([
      windowed.featuresRange(stretch, start, end, { melPeak }),
      overSequence.featuresRange(stretch, start, end, { melPeak }),
    ]);
    expect(actual.frameCount).toBe(end - start);
    expect(sameBits(actual.data, expected.data)).toBe(true);
  });

  it('gives digital silence the same row', async () => {
    expect(sameBits(await overSequence.silenceFeature(), await windowed.silenceFeature())).toBe(true);
  });
});
