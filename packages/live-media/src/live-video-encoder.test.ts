import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { annexBOf, NAL_TYPE, nalUnitsOf } from './avc-sample.ts';
import { isLiveMediaError } from './errors.ts';
import { LiveVideoEncoder, type VideoAccessUnit } from './live-video-encoder.ts';
import { syntheticYuvFrame } from './testing/synthetic-media.ts';

const work = mkdtempSync(join(tmpdir(), 'pf-live-video-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function encodeFrames(encoder: LiveVideoEncoder, count: number, frame: (i: number) => Uint8Array): Promise<VideoAccessUnit[]> {
  const units: VideoAccessUnit[] = [];
  encoder.on('accessUnit', (unit) => units.push(unit));
  for (let i = 0; i < count; i++) await encoder.encode(frame(i));
  await encoder.close();
  return units;
}

describe('LiveVideoEncoder', () => {
  it('hands out one access unit per frame, in order, IDR at each keyframe interval, constrained baseline', async () => {
    const encoder = new LiveVideoEncoder({ width: 128, height: 96, fps: 25, keyframeIntervalSeconds: 1 });
    const units = await encodeFrames(encoder, 60, (i) => syntheticYuvFrame(128, 96, i));
    expect(units.map((u) => u.index)).toEqual([...Array(60).keys()]);
    expect(units.map((u) => u.ptsSeconds)).toEqual([...Array(60).keys()].map((i) => i / 25));
    expect(units.filter((u) => u.keyframe).map((u) => u.index)).toEqual([0, 25, 50]);
    expect(encoder.pendingFrames).toBe(0);
    const config = encoder.decoderConfig!;
    expect([config.profile, config.compatibility, config.nalLengthBytes]).toEqual([66, 0xc0, 4]);
    expect(config.sequenceParameterSets[0]![0]! & 0x1f).toBe(NAL_TYPE.sps);
    expect(config.pictureParameterSets[0]![0]! & 0x1f).toBe(NAL_TYPE.pps);
    for (const unit of units) {
      const types = nalUnitsOf(unit.data).map((nal) => nal[0]! & 0x1f);
      expect(types).toContain(unit.keyframe ? NAL_TYPE.idrSlice : NAL_TYPE.slice);
      expect(types).not.toContain(unit.keyframe ? NAL_TYPE.slice : NAL_TYPE.idrSlice);
    }
  });

  it('gives a stream ffmpeg decodes frame for frame, with no B-frames', async () => {
    const encoder = new LiveVideoEncoder({ width: 160, height: 128, fps: 25 });
    const units = await encodeFrames(encoder, 30, (i) => syntheticYuvFrame(160, 128, i));
    const parameterSets = [...encoder.decoderConfig!.sequenceParameterSets, ...encoder.decoderConfig!.pictureParameterSets];
    const file = join(work, 'stream.h264');
    writeFileSync(file, Buffer.concat(units.map((u) => annexBOf(u.data, parameterSets))));
    const probed = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'frame=pict_type', '-of', 'json', file], { encoding: 'utf8' });
    const frames = (JSON.parse(probed) as { frames: Array<{ pict_type: string }> }).frames.map((f) => f.pict_type);
    expect(frames).toHaveLength(30);
    expect(frames.filter((type) => type === 'B')).toEqual([]);
  });

  it('codes with superfast at crf 24 by default, without B-frames (the settings x264 writes into the stream)', async () => {
    const encoder = new LiveVideoEncoder({ width: 64, height: 64, fps: 25 });
    const units = await encodeFrames(encoder, 3, (i) => syntheticYuvFrame(64, 64, i));
    const settings = /x264 - core .*?options: ([^\0]*)/.exec(units[0]!.data.toString('latin1'))?.[1];
    expect(settings).toBeDefined();
    // superfast: diamond motion search, sub-pixel refinement 1 (veryfast: hex, 2).
    expect(settings!.split(' ')).toEqual(expect.arrayContaining(['me=dia', 'subme=1', 'bframes=0', 'crf=24.0', 'threads=1']));
  });

  it('takes RGB24 frames when asked', async () => {
    const encoder = new LiveVideoEncoder({ width: 64, height: 64, fps: 10, pixelFormat: 'rgb24', crf: 30 });
    const units = await encodeFrames(encoder, 5, () => new Uint8Array(64 * 64 * 3).fill(200));
    expect(units).toHaveLength(5);
  });

  it('refuses a frame of the wrong size and options out of range, saying what it expected', async () => {
    const encoder = new LiveVideoEncoder({ width: 64, height: 64, fps: 25 });
    await expect(encoder.encode(new Uint8Array(10))).rejects.toThrow('A frame must be 64x64 yuv420p = 6144 bytes. Passed: 10 bytes');
    await encoder.destroy();
    await expect(encoder.encode(new Uint8Array(6144))).rejects.toSatisfy((error) => isLiveMediaError(error, 'LIVE_MEDIA_ENCODER_CLOSED'));
    expect(() => new LiveVideoEncoder({ width: 63, height: 64, fps: 25 })).toThrow('width must be an even integer between 16 and 4096. Passed: 63');
    expect(() => new LiveVideoEncoder({ width: 64, height: 64, fps: 25, crf: 60 })).toThrow('crf must be an integer between 0 and 51. Passed: 60');
  });

  it('reports ffmpeg dying mid-stream: an error event, then encode rejects with stderr or the signal', async () => {
    const encoder = new LiveVideoEncoder({ width: 64, height: 64, fps: 25 });
    const failed = new Promise<Error>((resolve) => encoder.on('error', resolve));
    await encoder.encode(syntheticYuvFrame(64, 64, 0));
    process.kill(encoder.pid!, 'SIGKILL');
    expect((await failed).message).toBe('ffmpeg was killed by SIGKILL');
    await expect(encoder.encode(syntheticYuvFrame(64, 64, 1))).rejects.toSatisfy((error) => isLiveMediaError(error, 'LIVE_MEDIA_ENCODER_FAILED'));
  });

  it('reports a missing ffmpeg as LIVE_MEDIA_FFMPEG_MISSING', async () => {
    const encoder = new LiveVideoEncoder({ width: 64, height: 64, fps: 25, ffmpegPath: join(work, 'no-such-ffmpeg') });
    await expect(encoder.encode(new Uint8Array(6144))).rejects.toSatisfy((error) => isLiveMediaError(error, 'LIVE_MEDIA_FFMPEG_MISSING'));
  });
});
