import { fileURLToPath } from 'node:url';
import { createModelSession, type ModelSession } from '@portrait-farm/model-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '@portrait-farm/media';
import { clipMelBlockEnd, MEL_BLOCK_SAMPLES } from './front-end-layout.ts';
import { computeMelBlocks } from './mel-blocks.ts';
import { melBlockBoundDb, searchMelPeak } from './mel-peak-search.ts';
import { wholeClip } from './sample-stretch.ts';

const melModel = fileURLToPath(new URL('../../../models/audio/melspectrogram.onnx', import.meta.url));
const speechFile = fileURLToPath(new URL('../../../test/fixtures/demo-speech-20s.ogg', import.meta.url));

function tone(seconds: number, hz: number, amplitude: number): Float32Array {
  return Float32Array.from({ length: Math.round(seconds * 16000) }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / 16000));
}

function noise(seconds: number, amplitude: number, seed: number): Float32Array {
  let state = seed;
  return Float32Array.from({ length: Math.round(seconds * 16000) }, () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return amplitude * (state / 2 ** 30 - 1);
  });
}

function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Counts the blocks the model is run on. */
function counting(session: ModelSession): { session: ModelSession; blocks: () => number } {
  let blocks = 0;
  const wrapped: ModelSession = Object.create(session) as ModelSession;
  wrapped.run = async (inputs) => {
    blocks += inputs['input']!.data.length / MEL_BLOCK_SAMPLES;
    return session.run(inputs);
  };
  return { session: wrapped, blocks: () => blocks };
}

describe('mel peak search', () => {
  let mel: ModelSession;
  let speech: Float32Array;
  beforeAll(async () => {
    mel = await createModelSession(melModel, { providers: ['cpu'] });
    speech = (await decodeAudio(speechFile)).samples;
  });
  afterAll(async () => {
    await mel.close();
  });

  const allBlocks = (samples: Float32Array): number => clipMelBlockEnd(samples.length);

  it('bounds every cell of every block, and is within 0.1 dB of a pure tone\'s peak', async () => {
    const signals = [
      speech,
      noise(3, 0.9, 7),
      concat(tone(0.5, 3000, 1), new Float32Array(8000), noise(0.5, 0.001, 3)),
      ...[90, 180, 440, 1000, 2500, 5000, 7900].map((hz) => tone(1, hz, 0.999)),
      Float32Array.from({ length: 16000 }, (_, i) => (Math.floor(i / 20) % 2 === 0 ? 1 : -1)),
    ];
    let tightest = Infinity;
    for (const samples of signals) {
      const end = allBlocks(samples);
      const blocks = await computeMelBlocks(mel, wholeClip(samples), 0, end);
      for (let k = 0; k < end; k++) {
        let actual = -Infinity;
        for (let i = k * 16 * 32; i < (k + 1) * 16 * 32; i++) actual = Math.max(actual, blocks.data[i]!);
        const bound = melBlockBoundDb(wholeClip(samples), k);
        // Cells at the floor the model puts 80 dB under its run's peak are not mel values.
        if (actual > blocks.peak - 79.9) expect(bound).toBeGreaterThanOrEqual(actual);
        if (actual > 0) tightest = Math.min(tightest, bound - actual);
      }
    }
    expect(tightest).toBeLessThan(0.1);
  });

  it('finds the same peak as running the model on every block, running it on fewer', async () => {
    const cases: Array<[string, Float32Array]> = [
      ['speech', speech],
      ['speech, its loudest second late and louder', concat(speech.subarray(0, 15 * 16000), speech.subarray(16000, 32000).map((x) => x * 1.5))],
      ['silence', new Float32Array(3 * 16000)],
      ['a tone after silence', concat(new Float32Array(2 * 16000), tone(0.2, 440, 0.3))],
      ['noise', noise(2, 0.5, 11)],
    ];
    for (const [name, samples] of cases) {
      const end = allBlocks(samples);
      const exact = (await computeMelBlocks(mel, wholeClip(samples), 0, end)).peak;
      const counted = counting(mel);
      expect(await searchMelPeak(counted.session, wholeClip(samples), 0, end), name).toBe(exact);
      if (name.startsWith('speech')) expect(counted.blocks(), name).toBeLessThan(end * 0.6);
      // Split in two with the first half's peak handed on, as the streamed peak does.
      const half = Math.floor(end / 2);
      const first = await searchMelPeak(mel, wholeClip(samples), 0, half);
      expect(await searchMelPeak(mel, wholeClip(samples), half, end, first), name).toBe(exact);
    }
  });
});
