import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concatChunks } from './concat-chunks.ts';
import { encodeAudioTrack } from './encode-audio-track.ts';
import { probeMedia } from './probe-media.ts';
import { ffmpegText, fixture, makeTempDir, portraitFrames, videoPacketDigests, videoPacketFlags } from './testing/test-support.ts';
import { createVideoEncoder } from './video-encoder.ts';

const SIZE = 64;
const FPS = 25;
const AUDIO_SECONDS = 3.635;
const FRAME_COUNT = Math.ceil(AUDIO_SECONDS * FPS); // 91
const RANGES: Array<[number, number]> = [
  [0, 30],
  [30, 60],
  [60, FRAME_COUNT],
];

const temp = makeTempDir();
const chunks: string[] = [];
beforeAll(async () => {
  const frames = await portraitFrames(FRAME_COUNT, SIZE);
  for (const [index, [from, to]] of RANGES.entries()) {
    const out = join(temp.dir, `chunk-${index}.mp4`);
    const encoder = createVideoEncoder({ out, width: SIZE, height: SIZE, fps: FPS, mode: 'chunk' });
    for (const frame of frames.slice(from, to)) await encoder.write(frame);
    await encoder.finish();
    chunks.push(out);
  }
});
afterAll(() => temp.cleanup());

describe('concatChunks', () => {
  it('starts every chunk on a keyframe', async () => {
    for (const [index, chunk] of chunks.entries()) {
      const flags = await videoPacketFlags(chunk);
      const [from, to] = RANGES[index] ?? [0, 0];
      expect(flags.length).toBe(to - from);
      expect(flags[0]).toMatch(/^K/);
    }
  });

  it('joins chunks without re-encoding and muxes the original audio', async () => {
    const out = join(temp.dir, "joined 'final'.mp4");
    await concatChunks(chunks, fixture('speech-3s.wav'), out);

    const info = await probeMedia(out);
    expect(info.video).toMatchObject({ codec: 'h264', width: SIZE, height: SIZE, frameCount: FRAME_COUNT });
    expect(info.audio).toMatchObject({ codec: 'aac', sampleRate: 16000 });
    expect(Math.abs((info.durationSeconds ?? 0) - AUDIO_SECONDS)).toBeLessThanOrEqual(1 / FPS);
    expect(Math.abs((info.video?.durationSeconds ?? 0) - FRAME_COUNT / FPS)).toBeLessThan(1e-3);

    const joined = await videoPacketDigests(out);
    const parts = (await Promise.all(chunks.map(videoPacketDigests))).flat();
    expect(joined).toEqual(parts);

    const flags = await videoPacketFlags(out);
    for (const [from] of RANGES) expect(flags[from]).toMatch(/^K/);

    const { stderr } = await ffmpegText(['-v', 'error', '-i', out, '-f', 'null', '-']);
    expect(stderr).toBe('');
  });

  it('copies an AAC track encoded beforehand: the same audio packets, times and bytes, as encoding in the join', async () => {
    const track = join(temp.dir, 'track.m4a');
    await encodeAudioTrack(fixture('speech-3s.wav'), track);
    const copied = join(temp.dir, 'copied-track.mp4');
    await concatChunks(chunks, track, copied, { audioIsTrack: true });
    const encoded = join(temp.dir, 'encoded-in-join.mp4');
    await concatChunks(chunks, fixture('speech-3s.wav'), encoded);
    const audioPackets = async (path: string): Promise<string[]> =>
      (await ffmpegText(['-v', 'error', '-i', path, '-map', '0:a:0', '-c', 'copy', '-f', 'framemd5', '-'])).stdout.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect((await audioPackets(copied)).length).toBeGreaterThan(50);
    expect(await audioPackets(copied)).toEqual(await audioPackets(encoded));
    expect(await videoPacketDigests(copied)).toEqual(await videoPacketDigests(encoded));
    await expect(encodeAudioTrack(fixture('missing.wav'), track)).rejects.toMatchObject({ code: 'MEDIA_FILE_MISSING' });
    await expect(encodeAudioTrack(fixture('speech-3s.wav'), join(temp.dir, 'track.aac'))).rejects.toMatchObject({
      code: 'MEDIA_BAD_OPTION',
      message: expect.stringContaining('out must be an .m4a or .mp4 file'),
    });
  });

  it('gives a video whose timestamps play straight through', async () => {
    const out = join(temp.dir, 'joined.mp4');
    await concatChunks(chunks, null, out);
    const { stdout } = await ffmpegText(['-v', 'error', '-i', out, '-map', '0:v', '-f', 'framemd5', '-']);
    const pts = stdout
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => Number(line.split(',')[2]));
    expect(pts.length).toBe(FRAME_COUNT);
    pts.forEach((value, i) => expect(value).toBe(i));
  });

  it('refuses missing chunks and an empty list', async () => {
    await expect(concatChunks([], null, join(temp.dir, 'x.mp4'))).rejects.toMatchObject({ code: 'MEDIA_BAD_OPTION' });
    await expect(concatChunks([join(temp.dir, 'nope.mp4')], null, join(temp.dir, 'x.mp4'))).rejects.toMatchObject({
      code: 'MEDIA_FILE_MISSING',
    });
  });
});

describe('concatChunks with MPEG-TS chunks (HLS segments)', () => {
  it('joins .ts chunks into an MP4 with every frame', async () => {
    const frames = await portraitFrames(FRAME_COUNT, SIZE);
    const tsChunks: string[] = [];
    for (const [index, [from, to]] of RANGES.entries()) {
      const out = join(temp.dir, `chunk-${index}.ts`);
      const encoder = createVideoEncoder({ out, width: SIZE, height: SIZE, fps: FPS, mode: 'chunk' });
      for (const frame of frames.slice(from, to)) await encoder.write(frame);
      await encoder.finish();
      expect((await videoPacketFlags(out))[0]).toMatch(/^K/);
      tsChunks.push(out);
    }
    const out = join(temp.dir, 'from-ts.mp4');
    await concatChunks(tsChunks, fixture('speech-3s.wav'), out);
    const info = await probeMedia(out);
    expect(info.video?.frameCount).toBe(FRAME_COUNT);
    expect(Math.abs((info.durationSeconds ?? 0) - AUDIO_SECONDS)).toBeLessThanOrEqual(1 / FPS);
    const { stderr } = await ffmpegText(['-v', 'error', '-i', out, '-f', 'null', '-']);
    expect(stderr).toBe('');
  });
});

describe('concatChunks with mismatched chunks', () => {
  it('refuses chunks encoded with other parameters, naming both', async () => {
    const other = join(temp.dir, 'other-crf.mp4');
    const frames = await portraitFrames(10, SIZE);
    const encoder = createVideoEncoder({ out: other, width: SIZE, height: SIZE, fps: FPS, mode: 'chunk', crf: 30 });
    for (const frame of frames) await encoder.write(frame);
    await encoder.finish();
    const first = chunks[0] ?? '';
    await expect(concatChunks([first, other], null, join(temp.dir, 'mixed.mp4'))).rejects.toMatchObject({
      code: 'MEDIA_CONCAT_FAILED',
      message: expect.stringContaining(`Chunk ${other} was encoded with other stream parameters than ${first}`),
    });
  });
});
