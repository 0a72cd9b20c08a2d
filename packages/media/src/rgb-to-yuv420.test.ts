import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { H264_SETTINGS } from './encoder-settings.ts';
import { rgbToYuv420, yuv420FrameBytes } from './rgb-to-yuv420.ts';
import { portraitFrames } from './testing/test-support.ts';

const run = promisify(execFile);

/** A 2x2 frame of one colour, converted: [Y, Cb, Cr]. */
function convertColour(r: number, g: number, b: number): number[] {
  const rgb = new Uint8Array(12);
  for (let p = 0; p < 4; p += 1) rgb.set([r, g, b], p * 3);
  const yuv = rgbToYuv420(rgb, 2, 2);
  expect([...yuv.subarray(0, 4)]).toEqual([yuv[0], yuv[0], yuv[0], yuv[0]]);
  return [yuv[0]!, yuv[4]!, yuv[5]!];
}

/** ffmpeg's conversion of the same RGB24 frame, as the encoder made it before (its scale filter). */
async function ffmpegYuv420(rgb: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  const child = run('ffmpeg', [
    '-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-i', 'pipe:0',
    '-vf', `scale=out_color_matrix=${H264_SETTINGS.colorSpace}:out_range=tv,format=yuv420p`, '-f', 'rawvideo', 'pipe:1',
  ], { encoding: 'buffer', maxBuffer: 64 << 20 });
  child.child.stdin?.end(rgb);
  return new Uint8Array((await child).stdout);
}

describe('rgbToYuv420', () => {
  it('maps black, white, grey and the primaries to BT.709 limited range', () => {
    expect(convertColour(0, 0, 0)).toEqual([16, 128, 128]);
    expect(convertColour(255, 255, 255)).toEqual([235, 128, 128]);
    expect(convertColour(128, 128, 128)).toEqual([126, 128, 128]);
    // Y = 16 + 219 Kr, Cb = 128 - 224 Kr / 1.8556, Cr = 240 (BT.709: Kr 0.2126, Kg 0.7152, Kb 0.0722).
    expect(convertColour(255, 0, 0)).toEqual([63, 102, 240]);
    expect(convertColour(0, 255, 0)).toEqual([173, 42, 26]);
    expect(convertColour(0, 0, 255)).toEqual([32, 240, 118]);
  });

  it('averages each 2x2 block for chroma and lays the planes out Y, Cb, Cr', () => {
    const rgb = new Uint8Array(4 * 2 * 3);
    // Left block: two white and two black pixels (mean grey); right block: red.
    rgb.set([255, 255, 255, 0, 0, 0, 255, 0, 0, 255, 0, 0, 0, 0, 0, 255, 255, 255, 255, 0, 0, 255, 0, 0]);
    const yuv = rgbToYuv420(rgb, 4, 2);
    expect(yuv.length).toBe(yuv420FrameBytes(4, 2));
    expect([...yuv]).toEqual([235, 16, 63, 63, 16, 235, 63, 63, 128, 102, 128, 240]);
  });

  it('agrees with ffmpeg\'s conversion of a portrait: luma within 1, chroma within a few levels', async () => {
    const [frame] = await portraitFrames(1, 128);
    const ours = rgbToYuv420(frame!, 128, 128);
    const theirs = await ffmpegYuv420(frame!, 128, 128);
    expect(theirs.length).toBe(ours.length);
    const luma = 128 * 128;
    let lumaMax = 0;
    let chromaSum = 0;
    for (let i = 0; i < luma; i += 1) lumaMax = Math.max(lumaMax, Math.abs(ours[i]! - theirs[i]!));
    for (let i = luma; i < ours.length; i += 1) chromaSum += Math.abs(ours[i]! - theirs[i]!);
    expect(lumaMax).toBeLessThanOrEqual(1);
    expect(chromaSum / (ours.length - luma)).toBeLessThan(1);
  });

  it('rejects odd sizes and buffers of the wrong length, naming the value', () => {
    expect(() => rgbToYuv420(new Uint8Array(9), 3, 1)).toThrow('width and height must be even and at least 2 (yuv420p). Passed: 3x1');
    expect(() => rgbToYuv420(new Uint8Array(10), 2, 2)).toThrow('Frame must be 2x2x3 = 12 bytes of RGB24. Passed: 10 bytes');
    expect(() => rgbToYuv420(new Uint8Array(12), 2, 2, new Uint8Array(5))).toThrow('The yuv420p buffer must be 6 bytes. Passed: 5 bytes');
  });
});
