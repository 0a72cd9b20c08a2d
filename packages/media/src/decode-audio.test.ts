import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeAudio } from './decode-audio.ts';
import { SampleBuffer } from './sample-buffer.ts';
import { ffmpegText, fixture, makeTempDir } from './testing/test-support.ts';

const temp = makeTempDir();
afterAll(() => temp.cleanup());

const SPEECH_SAMPLES = 58160; // 3.635 s at 16 kHz

function rms(samples: Float32Array, from = 0, to = samples.length): number {
  let sum = 0;
  for (let i = from; i < to; i += 1) sum += (samples[i] ?? 0) ** 2;
  return Math.sqrt(sum / Math.max(1, to - from));
}

function correlation(a: Float32Array, b: Float32Array): number {
  const n = Math.min(a.length, b.length);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i += 1) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return ab / Math.sqrt(aa * bb);
}

describe('decodeAudio', () => {
  it('decodes a 16 kHz mono wav to float samples', async () => {
    const audio = await decodeAudio(fixture('speech-3s.wav'));
    expect(audio.sampleRate).toBe(16000);
    expect(audio.samples.length).toBe(SPEECH_SAMPLES);
    expect(audio.durationSeconds).toBeCloseTo(3.635, 6);
    expect(audio.source).toEqual({ codec: 'pcm_s16le', sampleRate: 16000, channels: 1 });
    const speech = rms(audio.samples, Math.round(0.2 * 16000), Math.round(1.4 * 16000));
    const pause = rms(audio.samples, Math.round(1.45 * 16000), Math.round(2.07 * 16000));
    expect(speech).toBeGreaterThan(0.05);
    expect(pause).toBeLessThan(0.002);
  });

  it.each([
    ['speech-3s.mp3', 'mp3', 1],
    ['speech-3s-stereo-44k.m4a', 'aac', 2],
  ])('decodes %s (%s, %i channels) to the same speech', async (name, codec, channels) => {
    const reference = await decodeAudio(fixture('speech-3s.wav'));
    const audio = await decodeAudio(fixture(name));
    expect(audio.source).toMatchObject({ codec, channels });
    expect(Math.abs(audio.durationSeconds - reference.durationSeconds)).toBeLessThan(0.08);
    // Downmixing the identical stereo channels keeps the level; the lossy codecs keep the waveform.
    expect(rms(audio.samples) / rms(reference.samples)).toBeGreaterThan(0.85);
    expect(rms(audio.samples) / rms(reference.samples)).toBeLessThan(1.15);
    expect(correlation(audio.samples, reference.samples)).toBeGreaterThan(0.9);
  });

  it('decodes Opus in Ogg at another output rate', async () => {
    const audio = await decodeAudio(fixture('demo-speech-20s.ogg'), { sampleRate: 22050 });
    expect(audio.sampleRate).toBe(22050);
    expect(audio.source).toMatchObject({ codec: 'opus', sampleRate: 48000, channels: 1 });
    expect(audio.durationSeconds).toBeGreaterThan(21.5);
    expect(audio.durationSeconds).toBeLessThan(22.5);
  });

  it('writes its scratch file in the folder it is given (a farm step folder), and leaves nothing there', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const inScratch = await decodeAudio(fixture('demo-speech-20s.ogg'), { scratchDir: dir });
      const plain = await decodeAudio(fixture('demo-speech-20s.ogg'));
      expect(Buffer.from(inScratch.samples.buffer, inScratch.samples.byteOffset, inScratch.samples.byteLength).equals(Buffer.from(plain.samples.buffer, plain.samples.byteOffset, plain.samples.byteLength))).toBe(true);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      cleanup();
    }
  });

  it('returns a range equal to the same slice of a full decode', async () => {
    const full = await decodeAudio(fixture('speech-3s-stereo-44k.m4a'));
    const part = await decodeAudio(fixture('speech-3s-stereo-44k.m4a'), { startSeconds: 1, endSeconds: 2.5 });
    expect(part.samples.length).toBe(24000);
    expect(part.durationSeconds).toBe(1.5);
    expect(Array.from(part.samples)).toEqual(Array.from(full.samples.subarray(16000, 40000)));
  });

  it('shows the samples decoded so far as they arrive, each a prefix of the result', async () => {
    const seen: Float32Array[] = [];
    const audio = await decodeAudio(fixture('demo-speech-20s.ogg'), { onSamples: (decoded) => seen.push(decoded) });
    expect(seen.length).toBeGreaterThan(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.length).toBeGreaterThanOrEqual(seen[i - 1]!.length);
    expect(seen.at(-1)!.length).toBe(audio.samples.length);
    const bytes = (a: Float32Array, n: number): Buffer => Buffer.from(a.buffer, a.byteOffset, n * 4);
    for (const prefix of seen) expect(bytes(prefix, prefix.length).equals(bytes(audio.samples, prefix.length))).toBe(true);
  });

  it('refuses a file without audio', async () => {
    const error = decodeAudio(fixture('astronaut.png'));
    await expect(error).rejects.toMatchObject({ code: 'MEDIA_NO_AUDIO' });
    await expect(error).rejects.toThrow(/astronaut\.png has no audio stream \(streams: video png\)/);
  });

  it('refuses audio shorter than minSeconds, naming the limit and the length', async () => {
    const short = join(temp.dir, 'short.wav');
    await ffmpegText(['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=8000', '-t', '0.3', short]);
    const error = decodeAudio(short);
    await expect(error).rejects.toMatchObject({ code: 'MEDIA_AUDIO_TOO_SHORT' });
    await expect(error).rejects.toThrow('audio must be at least 0.5 s long. Passed: 0.300 s');
    const accepted = await decodeAudio(short, { minSeconds: 0.1 });
    expect(accepted.samples.length).toBe(4800);
  });

  it('refuses audio longer than maxSeconds before decoding', async () => {
    await expect(decodeAudio(fixture('speech-3s.wav'), { maxSeconds: 2 })).rejects.toMatchObject({
      code: 'MEDIA_AUDIO_TOO_LONG',
      message: expect.stringContaining('at most 2 s long. Passed: 3.63 s'),
    });
  });

  it('refuses unreadable files and bad options', async () => {
    await expect(decodeAudio(fixture('PROVENANCE.md'))).rejects.toMatchObject({ code: 'MEDIA_UNREADABLE' });
    await expect(decodeAudio(fixture('speech-3s.wav'), { sampleRate: 50 })).rejects.toMatchObject({
      code: 'MEDIA_BAD_OPTION',
      message: 'sampleRate must be an integer between 1000 and 192000. Passed: 50',
    });
    await expect(decodeAudio(fixture('speech-3s.wav'), { startSeconds: 2, endSeconds: 1 })).rejects.toMatchObject({
      code: 'MEDIA_BAD_OPTION',
    });
  });

  it('stops when its signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('job cancelled'));
    await expect(decodeAudio(fixture('speech-3s.wav'), { signal: controller.signal })).rejects.toMatchObject({
      code: 'MEDIA_ABORTED',
    });
    const later = new AbortController();
    const pending = decodeAudio(fixture('demo-speech-20s.ogg'), { signal: later.signal });
    setTimeout(() => later.abort(new Error('job cancelled')), 30);
    await expect(pending).rejects.toMatchObject({ code: 'MEDIA_ABORTED', message: 'ffmpeg was stopped: job cancelled' });
  });

  it('decodes ten minutes of audio quickly into one buffer', async () => {
    const long = join(temp.dir, 'ten-minutes.wav');
    await ffmpegText(['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=220:sample_rate=8000', '-t', '600', long]);
    const started = performance.now();
    const audio = await decodeAudio(long);
    const seconds = (performance.now() - started) / 1000;
    expect(audio.samples.length).toBe(600 * 16000);
    expect(audio.samples.buffer.byteLength).toBe(Math.ceil(600 * 16000 * 1.005 + 16000) * 4);
    expect(seconds).toBeLessThan(10);
  });
});

describe('SampleBuffer', () => {
  it('joins unaligned chunks, grows past its estimate, skips and limits', () => {
    const values = Float32Array.from({ length: 3000 }, (_, i) => i / 3000);
    const bytes = new Uint8Array(values.buffer);
    const buffer = new SampleBuffer(10, 100, 2500);
    for (let offset = 0; offset < bytes.length; offset += 777) buffer.push(bytes.subarray(offset, offset + 777));
    const result = buffer.result();
    expect(buffer.full).toBe(true);
    expect(result.length).toBe(2500);
    expect(result[0]).toBe(values[100]);
    expect(result[2499]).toBe(values[2599]);
  });

  it('says when a push would outgrow it, counting only the bytes it keeps', () => {
    const buffer = new SampleBuffer(1024, 10, 1030);
    expect(buffer.wouldGrow(1034 * 4)).toBe(false);
    expect(buffer.wouldGrow(1035 * 4)).toBe(true);
    buffer.reserve(1030);
    expect(buffer.wouldGrow(2000 * 4)).toBe(false);
  });
});
