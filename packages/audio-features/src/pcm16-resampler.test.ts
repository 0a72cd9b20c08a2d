import { fileURLToPath } from 'node:url';
import { decodeAudio } from '@portrait-farm/media';
import { describe, expect, it } from 'vitest';
import { createPcm16Resampler, resamplePcm16, type Pcm16Rate } from './pcm16-resampler.ts';

const speech = fileURLToPath(new URL('../../../test/fixtures/speech-3s.mp3', import.meta.url));

function pcm16(samples: Float32Array): Uint8Array {
  const bytes = new Uint8Array(samples.length * 2);
  const view = new DataView(bytes.buffer);
  samples.forEach((v, i) => view.setInt16(i * 2, Math.max(-32768, Math.min(32767, Math.round(v * 32768))), true));
  return bytes;
}

function tone(hz: number, rate: number, seconds: number, amplitude: number): Float32Array {
  return Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / rate));
}

/** Resamples `bytes` pushed in chunks of the listed sizes (cycled). */
function chunked(bytes: Uint8Array, rate: Pcm16Rate, sizes: readonly number[]): Float32Array {
  const resampler = createPcm16Resampler(rate);
  const parts: Float32Array[] = [];
  for (let n = 0, i = 0; n < bytes.length; n += sizes[i++ % sizes.length]!) parts.push(resampler.push(bytes.slice(n, n + sizes[i % sizes.length]!)));
  parts.push(resampler.flush());
  const out = new Float32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function rms(values: Float32Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += values[i]! * values[i]!;
  return Math.sqrt(sum / (to - from));
}

describe('PCM16 resampler', () => {
  it('reads 16 kHz PCM16 as ffmpeg does (int16 / 32768), across split samples', () => {
    const bytes = new Uint8Array([0x00, 0x80, 0xff, 0x7f, 0x01, 0x00, 0xff, 0xff, 0x34, 0x12]);
    const expected = Float32Array.from([-32768, 32767, 1, -1, 0x1234], (v) => v / 32768);
    expect(resamplePcm16(bytes, 16000)).toEqual(expected);
    expect(chunked(bytes, 16000, [1])).toEqual(expected);
    expect(chunked(bytes, 16000, [3, 2, 5])).toEqual(expected);
  });

  it('gives the same bits whatever the chunking, odd byte counts included', () => {
    const bytes = pcm16(tone(440, 24000, 0.7, 0.6).map((v, i) => v + 0.3 * Math.sin(i * 0.37)));
    for (const rate of [16000, 24000] as const) {
      const whole = resamplePcm16(bytes, rate);
      expect(whole.length).toBe(rate === 16000 ? bytes.length / 2 : Math.ceil(((bytes.length / 2) * 2) / 3));
      for (const sizes of [[1], [3], [2, 7, 1, 480], [4801], [959, 961]]) expect(chunked(bytes, rate, sizes)).toEqual(whole);
    }
  });

  it('resamples 24 kHz to 16 kHz: passes speech frequencies, stops what would alias', () => {
    for (const hz of [200, 1000, 3000, 6000]) {
      const out = resamplePcm16(pcm16(tone(hz, 24000, 0.5, 0.5)), 24000);
      const ideal = tone(hz, 16000, 0.5, 0.5);
      let error = 0;
      for (let i = 100; i < out.length - 100; i++) error = Math.max(error, Math.abs(out[i]! - ideal[i]!));
      expect(error, `${hz} Hz`).toBeLessThan(hz <= 3000 ? 2e-3 : 1e-2);
    }
    for (const hz of [8500, 10000, 11500]) {
      const out = resamplePcm16(pcm16(tone(hz, 24000, 0.5, 0.5)), 24000);
      expect(rms(out, 100, out.length - 100), `${hz} Hz`).toBeLessThan(0.5 * 0.002);
    }
  });

  it('agrees with ffmpeg\'s resampling of real speech', async () => {
    const at24k = await decodeAudio(speech, { sampleRate: 24000 });
    const at16k = await decodeAudio(speech, { sampleRate: 16000 });
    const ours = resamplePcm16(pcm16(at24k.samples), 24000);
    const n = Math.min(ours.length, at16k.samples.length);
    expect(Math.abs(ours.length - at16k.samples.length)).toBeLessThanOrEqual(2);
    let difference = 0;
    let energy = 0;
    for (let i = 0; i < n; i++) {
      difference += (ours[i]! - at16k.samples[i]!) ** 2;
      energy += at16k.samples[i]! ** 2;
    }
    const relative = Math.sqrt(difference / energy);
    console.log(`pcm16 resampler: 24 kHz -> 16 kHz speech vs ffmpeg 16 kHz decode: relative L2 ${relative.toFixed(4)}`);
    expect(relative).toBeLessThan(0.01);
  });

  it('starts afresh after reset, and names a bad rate', () => {
    const bytes = pcm16(tone(500, 24000, 0.1, 0.5));
    const resampler = createPcm16Resampler(24000);
    resampler.push(bytes.subarray(0, 1001));
    resampler.reset();
    const again = resampler.push(bytes);
    expect(Array.from(again)).toEqual(Array.from(resamplePcm16(bytes, 24000).subarray(0, again.length)));
    expect(() => createPcm16Resampler(44100 as Pcm16Rate)).toThrow('PCM16 input rate must be 16000 or 24000 Hz. Passed: 44100');
  });
});
