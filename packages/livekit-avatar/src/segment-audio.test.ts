import { describe, expect, it } from 'vitest';
import { resamplePcm16 } from '@portrait-farm/audio-features';
import { createSegmentAudio, segmentFormat } from './segment-audio.ts';

const pcm = (values: number[]): Uint8Array => new Uint8Array(Int16Array.from(values).buffer);

describe('segment audio', () => {
  it('reads the format from the stream attributes and names a bad one', () => {
    expect(segmentFormat({ sample_rate: '24000', num_channels: '1' })).toEqual({ sampleRate: 24000, channels: 1 });
    expect(segmentFormat({ sample_rate: '16000' })).toEqual({ sampleRate: 16000, channels: 1 });
    expect(() => segmentFormat({ sample_rate: '48000', num_channels: '1' })).toThrow("the audio stream's sample_rate must be 16000 or 24000. Passed: 48000");
    expect(() => segmentFormat({ sample_rate: '16000', num_channels: '6' })).toThrow("num_channels must be 1 or 2. Passed: 6");
    expect(() => segmentFormat(undefined)).toThrow('Passed: undefined');
  });

  it('gives 24 kHz mono as the resampler does, whatever the chunking', () => {
    const samples = Array.from({ length: 2400 }, (_, i) => Math.round(8000 * Math.sin(i / 7)));
    const whole = resamplePcm16(pcm(samples), 24000);
    const audio = createSegmentAudio({ sampleRate: 24000, channels: 1 });
    const bytes = pcm(samples);
    const parts: Float32Array[] = [];
    for (let at = 0; at < bytes.length; at += 333) parts.push(audio.push(bytes.subarray(at, at + 333)));
    parts.push(audio.flush());
    expect(Float32Array.from(parts.flatMap((p) => [...p]))).toEqual(whole);
  });

  it('averages stereo to mono across chunk boundaries', () => {
    const audio = createSegmentAudio({ sampleRate: 16000, channels: 2 });
    const bytes = pcm([100, 300, -200, -400, 1000, 3000]);
    const out = [...audio.push(bytes.subarray(0, 5)), ...audio.push(bytes.subarray(5)), ...audio.flush()];
    expect(out).toEqual([200 / 32768, -300 / 32768, 2000 / 32768]);
  });
});
