import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeMedia } from './probe-media.ts';
import { readVideoFrames } from './read-video-frames.ts';
import { rgbToYuv420 } from './rgb-to-yuv420.ts';
import { fixture, makeTempDir, portraitFrames, videoPacketDigests, videoPacketFlags } from './testing/test-support.ts';
import { createVideoEncoder, type VideoEncoderOptions } from './video-encoder.ts';

const run = promisify(execFile);
const SIZE = 128;
const FPS = 25;
const AUDIO_SECONDS = 3.635;
const FRAME_COUNT = Math.ceil(AUDIO_SECONDS * FPS); // 91

const temp = makeTempDir();
let frames: Uint8Array[] = [];
beforeAll(async () => {
  frames = await portraitFrames(FRAME_COUNT + 10, SIZE);
});
afterAll(() => temp.cleanup());

async function encode(options: Omit<VideoEncoderOptions, 'width' | 'height' | 'fps'>, count: number): Promise<number> {
  const encoder = createVideoEncoder({ width: SIZE, height: SIZE, fps: FPS, ...options });
  for (const frame of frames.slice(0, count)) await encoder.write(frame);
  return (await encoder.finish()).frames;
}

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return sum / a.length;
}

describe('createVideoEncoder', () => {
  it('muxes the original audio; ceil(duration*fps) frames match its duration within one frame', async () => {
    const out = join(temp.dir, 'final.mp4');
    expect(await encode({ out, audio: { path: fixture('speech-3s.wav') } }, FRAME_COUNT)).toBe(FRAME_COUNT);
    const info = await probeMedia(out);
    expect(info.video).toMatchObject({ codec: 'h264', width: SIZE, height: SIZE, fps: FPS, frameCount: FRAME_COUNT });
    expect(info.audio).toMatchObject({ codec: 'aac', sampleRate: 16000, channels: 1 });
    expect(Math.abs((info.durationSeconds ?? 0) - AUDIO_SECONDS)).toBeLessThanOrEqual(1 / FPS);
    expect(Math.abs((info.audio?.durationSeconds ?? 0) - AUDIO_SECONDS)).toBeLessThan(0.03);
    const [first] = await videoPacketFlags(out);
    expect(first).toMatch(/^K/);
  });

  it('cuts extra frames and audio at durationSeconds', async () => {
    const out = join(temp.dir, 'cut.mp4');
    expect(await encode({ out, audio: { path: fixture('speech-3s.wav') }, durationSeconds: 2 }, FRAME_COUNT)).toBe(50);
    const info = await probeMedia(out);
    expect(info.video?.frameCount).toBe(50);
    expect(Math.abs((info.durationSeconds ?? 0) - 2)).toBeLessThanOrEqual(1 / FPS);
  });

  it('keeps the picture: decoded frames are close to the frames written', async () => {
    const out = join(temp.dir, 'quality.mp4');
    await encode({ out }, 30);
    const decoded = await readVideoFrames(out, [0, 17, 29]);
    expect(decoded.indices).toEqual([0, 17, 29]);
    decoded.frames.forEach((frame, i) => {
      const source = frames[decoded.indices[i] ?? 0] ?? new Uint8Array();
      expect(meanAbsDiff(frame, source)).toBeLessThan(4);
    });
  });

  it('converts the colours in this process when asked (rgbToYuv420): the picture is kept, the bytes repeat', async () => {
    const converted = join(temp.dir, 'converted.mp4');
    const again = join(temp.dir, 'converted-again.mp4');
    await encode({ out: converted, mode: 'chunk', colourConversion: 'rgbToYuv420' }, 30);
    await encode({ out: again, mode: 'chunk', colourConversion: 'rgbToYuv420' }, 30);
    expect(await videoPacketDigests(converted)).toEqual(await videoPacketDigests(again));
    const info = await probeMedia(converted);
    expect(info.video).toMatchObject({ codec: 'h264', width: SIZE, height: SIZE, frameCount: 30 });
    const decoded = await readVideoFrames(converted, [0, 29]);
    decoded.frames.forEach((frame, i) => {
      expect(meanAbsDiff(frame, frames[decoded.indices[i] ?? 0] ?? new Uint8Array())).toBeLessThan(4);
    });
  });

  it('pipes frames written in yuv420p as they are (yuv420pInput): the bytes of converting in the encoder', async () => {
    const inEncoder = join(temp.dir, 'yuv-in-encoder.mp4');
    const written = join(temp.dir, 'yuv-written.mp4');
    await encode({ out: inEncoder, mode: 'chunk', colourConversion: 'rgbToYuv420' }, 20);
    const encoder = createVideoEncoder({ out: written, width: SIZE, height: SIZE, fps: FPS, mode: 'chunk', colourConversion: 'yuv420pInput' });
    await expect(encoder.write(frames[0]!)).rejects.toThrow(`Frame must be ${SIZE}x${SIZE} yuv420p = ${SIZE * SIZE * 1.5} bytes. Passed: ${SIZE * SIZE * 3} bytes`);
    for (const frame of frames.slice(0, 20)) await encoder.write(rgbToYuv420(frame, SIZE, SIZE));
    expect((await encoder.finish()).frames).toBe(20);
    expect(await videoPacketDigests(written)).toEqual(await videoPacketDigests(inEncoder));
    const tags = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=pix_fmt,color_space,color_range', '-of', 'csv=p=0', written]);
    expect(tags.stdout.trim()).toBe('yuv420p,tv,bt709');
  });

  it('gives the same bytes for the same frames', async () => {
    const a = join(temp.dir, 'same-a.mp4');
    const b = join(temp.dir, 'same-b.mp4');
    await encode({ out: a, mode: 'chunk' }, 40);
    await encode({ out: b, mode: 'chunk' }, 40);
    expect(await videoPacketDigests(a)).toEqual(await videoPacketDigests(b));
  });

  it('rejects frames of the wrong size and bad options, naming the value', async () => {
    const out = join(temp.dir, 'bad.mp4');
    expect(() => createVideoEncoder({ out, width: 127, height: SIZE, fps: FPS })).toThrow(
      'width must be an even integer between 16 and 8192 (yuv420p). Passed: 127',
    );
    expect(() => createVideoEncoder({ out, width: SIZE, height: SIZE, fps: FPS, crf: 80 })).toThrow(
      'crf must be an integer between 0 and 51 for libx264. Passed: 80',
    );
    expect(() => createVideoEncoder({ out, width: SIZE, height: SIZE, fps: FPS, threads: 0 })).toThrow(
      'threads must be an integer between 1 and 16. Passed: 0',
    );
    expect(() => createVideoEncoder({ out, width: SIZE, height: SIZE, fps: FPS, bFrames: 1.5 })).toThrow(
      'bFrames must be an integer between 0 and 16. Passed: 1.5',
    );
    expect(() =>
      createVideoEncoder({ out, width: SIZE, height: SIZE, fps: FPS, mode: 'chunk', audio: { path: fixture('speech-3s.wav') } }),
    ).toThrow(/audio must be absent in chunk mode/);
    const encoder = createVideoEncoder({ out, width: SIZE, height: SIZE, fps: FPS });
    await expect(encoder.write(new Uint8Array(10))).rejects.toMatchObject({
      code: 'MEDIA_BAD_FRAME',
      message: 'Frame must be 128x128x3 = 49152 bytes of RGB24. Passed: 10 bytes',
    });
    await encoder.abort();
  });

  it('abort() kills ffmpeg and removes the partial file; later writes fail', async () => {
    const out = join(temp.dir, 'aborted.mp4');
    const encoder = createVideoEncoder({ out, width: SIZE, height: SIZE, fps: FPS });
    for (const frame of frames.slice(0, 5)) await encoder.write(frame);
    await encoder.abort();
    expect(existsSync(out)).toBe(false);
    await expect(encoder.write(frames[0] ?? new Uint8Array())).rejects.toMatchObject({ code: 'MEDIA_ENCODER_CLOSED' });
  });

  it('reports ffmpeg failures with its stderr', async () => {
    const out = join(temp.dir, 'no-such-dir', 'x.mp4');
    const encoder = createVideoEncoder({ out, width: SIZE, height: SIZE, fps: FPS });
    const attempt = (async () => {
      for (const frame of frames.slice(0, 20)) await encoder.write(frame);
      await encoder.finish();
    })();
    await expect(attempt).rejects.toMatchObject({
      code: 'MEDIA_ENCODE_FAILED',
      message: expect.stringMatching(/Encoding .*x\.mp4 failed: ffmpeg exited with code 1: .*No such file or directory/s),
    });
  });
});

describe('createVideoEncoder with an AbortSignal', () => {
  it('stops ffmpeg, removes the partial file and rejects with MEDIA_ABORTED', async () => {
    const out = join(temp.dir, 'signalled.mp4');
    const controller = new AbortController();
    const encoder = createVideoEncoder({ out, width: SIZE, height: SIZE, fps: FPS, signal: controller.signal });
    for (const frame of frames.slice(0, 5)) await encoder.write(frame);
    controller.abort(new Error('job cancelled'));
    await expect(encoder.write(frames[5] ?? new Uint8Array())).rejects.toMatchObject({
      code: 'MEDIA_ABORTED',
      message: 'ffmpeg was stopped: job cancelled',
    });
    expect(existsSync(out)).toBe(false);
    await expect(encoder.finish()).rejects.toMatchObject({ code: 'MEDIA_ABORTED' });
  });
});
