import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isLiveMediaError } from './errors.ts';
import { LiveAudioEncoder, type AudioPacket } from './live-audio-encoder.ts';
import { oggOpusFile } from './testing/ogg-opus-file.ts';
import { clickTrack } from './testing/synthetic-media.ts';

async function encodeAll(encoder: LiveAudioEncoder, samples: Int16Array | Float32Array, chunk: number): Promise<AudioPacket[]> {
  const packets: AudioPacket[] = [];
  encoder.on('packet', (packet) => packets.push(packet));
  for (let at = 0; at < samples.length; at += chunk) await encoder.encode(samples.subarray(at, at + chunk));
  await encoder.close();
  return packets;
}

describe('LiveAudioEncoder', () => {
  it.each([16_000, 24_000])('turns %i Hz PCM16 into contiguous 20 ms Opus packets covering the whole input', async (sampleRate) => {
    const encoder = new LiveAudioEncoder({ sampleRate });
    // Chunks of 30 ms: packets do not follow the writes' boundaries.
    const packets = await encodeAll(encoder, clickTrack(sampleRate, 2), (sampleRate * 3) / 100);
    const head = encoder.opusHead!;
    expect(head.channels).toBe(1);
    expect(head.inputSampleRate).toBe(sampleRate);
    expect(head.preSkip).toBeGreaterThan(0);
    expect(packets.slice(0, -1).every((p) => p.sampleCount === 960 && p.durationSeconds === 0.02)).toBe(true);
    packets.forEach((packet, i) => {
      expect(packet.startSample).toBe(i * 960);
      expect(packet.ptsSeconds).toBeCloseTo((i * 960 - head.preSkip) / 48_000, 9);
    });
    const last = packets.at(-1)!;
    // Ogg's last granule position ends the sound where the input ended (2 s after pre-skip).
    expect(last.startSample + last.sampleCount - head.preSkip).toBe(2 * 48_000);
    expect(encoder.pendingSeconds).toBe(0);
  });

  it('takes Float32 samples when asked, and refuses the other type', async () => {
    const encoder = new LiveAudioEncoder({ sampleRate: 16_000, sampleFormat: 'f32' });
    await expect(encoder.encode(new Int16Array(160))).rejects.toSatisfy((error) => isLiveMediaError(error, 'LIVE_MEDIA_BAD_INPUT'));
    const tone = Float32Array.from({ length: 16_000 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 16_000));
    const packets = await encodeAll(encoder, tone, 320);
    expect(packets.reduce((sum, p) => sum + p.sampleCount, 0) - encoder.opusHead!.preSkip).toBe(48_000);
  });

  it('hands out each packet within the encode() call that completed its 20 ms, before the next 20 ms is written', async () => {
    const encoder = new LiveAudioEncoder({ sampleRate: 16_000 });
    const packets: AudioPacket[] = [];
    encoder.on('packet', (packet) => packets.push(packet));
    const sound = clickTrack(16_000, 1);
    // 10 ms writes: a packet comes out of every second one.
    for (let write = 1; write * 160 <= sound.length; write++) {
      await encoder.encode(sound.subarray((write - 1) * 160, write * 160));
      expect(packets).toHaveLength(Math.floor(write / 2));
    }
    await encoder.close();
    expect(packets.at(-1)!.startSample + packets.at(-1)!.sampleCount - encoder.opusHead!.preSkip).toBe(48_000);
  });

  it('makes a stream ffmpeg decodes to the input: same length, the click where it was written', async () => {
    const encoder = new LiveAudioEncoder({ sampleRate: 24_000 });
    const packets = await encodeAll(encoder, clickTrack(24_000, 2), 480);
    const pcm = execFileSync('ffmpeg', ['-v', 'error', '-f', 'ogg', '-i', 'pipe:0', '-f', 's16le', '-ac', '1', '-ar', '48000', 'pipe:1'], { input: oggOpusFile(encoder.opusHead!, packets) });
    const samples = new Int16Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.length));
    expect(samples.length).toBe(2 * 48_000);
    const loud = samples.findIndex((sample, i) => i > 4800 && Math.abs(sample) > 2000);
    expect(Math.abs(loud - 48_000)).toBeLessThanOrEqual(96);
  });

  it('refuses a sample rate Opus does not code', () => {
    expect(() => new LiveAudioEncoder({ sampleRate: 44_100 })).toThrow('sampleRate must be one of 8000, 12000, 16000, 24000, 48000. Passed: 44100');
  });
});
