import { describe, expect, it } from 'vitest';
import { MEDIA_ERRORS, MediaError } from './errors.ts';
import { probeMedia } from './probe-media.ts';
import { fixture } from './testing/test-support.ts';

describe('probeMedia', () => {
  it('reads a mono 16 kHz wav', async () => {
    const info = await probeMedia(fixture('speech-3s.wav'));
    expect(info.video).toBeNull();
    expect(info.audio).toMatchObject({ codec: 'pcm_s16le', sampleRate: 16000, channels: 1 });
    expect(info.durationSeconds).toBeCloseTo(3.635, 3);
  });

  it('reads a stereo 44.1 kHz AAC file and counts its packets', async () => {
    const info = await probeMedia(fixture('speech-3s-stereo-44k.m4a'));
    expect(info.formatName).toContain('mp4');
    expect(info.audio).toMatchObject({ codec: 'aac', sampleRate: 44100, channels: 2, channelLayout: 'stereo' });
    expect(info.audio?.packetCount).toBeGreaterThan(100);
  });

  it('reads an image as a one-frame video without audio', async () => {
    const info = await probeMedia(fixture('astronaut.png'));
    expect(info.audio).toBeNull();
    expect(info.video).toMatchObject({ codec: 'png', width: 512, height: 512, frameCount: 1 });
  });

  it('names the file when ffprobe cannot read it', async () => {
    const path = fixture('PROVENANCE.md');
    const error = await probeMedia(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaError);
    expect(error).toMatchObject({ code: 'MEDIA_UNREADABLE' });
    expect((error as MediaError).message).toContain(path);
    expect((error as MediaError).message).toContain('Invalid data');
  });

  it('says when the file does not exist', async () => {
    await expect(probeMedia(fixture('no-such-file.wav'))).rejects.toMatchObject({ code: 'MEDIA_FILE_MISSING' });
  });

  it('documents every error code', () => {
    for (const [code, entry] of Object.entries(MEDIA_ERRORS)) {
      expect(code).toMatch(/^MEDIA_[A-Z_]+$/);
      expect(entry.description.length).toBeGreaterThan(10);
    }
  });

  it('retries only ffmpeg failing on media that probed well', () => {
    const retried = Object.entries(MEDIA_ERRORS).filter(([, entry]) => entry.retryable).map(([code]) => code);
    expect(retried).toEqual(['MEDIA_DECODE_FAILED', 'MEDIA_ENCODE_FAILED', 'MEDIA_CONCAT_FAILED']);
  });
});
