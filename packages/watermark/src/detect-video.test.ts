import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVideoEncoder, createYuv420Converter } from '@portrait-farm/media';
import { afterAll, describe, expect, it } from 'vitest';
import { detectWatermarkInVideo } from './detect-video.ts';
import { embedWatermark } from './embed.ts';

const SIZE = 256;
const payload = Uint8Array.from([1, 1, 2, 3, 5, 8, 13, 21]);

function frame(index: number): Uint8Array {
  const data = new Uint8Array(SIZE * SIZE * 3);
  let s = 12345 + index;
  for (let y = 0; y < SIZE; y += 1) {
    for (let x = 0; x < SIZE; x += 1) {
      s = (s * 1103515245 + 12345) >>> 0;
      const v = 110 + 50 * Math.sin((x + index) / 19) * Math.cos(y / 27) + ((s >>> 16) % 7) - 3;
      data.fill(v, (y * SIZE + x) * 3, (y * SIZE + x) * 3 + 3);
    }
  }
  return data;
}

/** How the frames reach x264: the worker's chunks come converted to yuv420p by the render threads (the SIMD kernel). */
type Conversion = 'render threads' | 'ffmpeg';

async function writeVideo(out: string, marked: boolean, conversion: Conversion): Promise<string> {
  const inThreads = conversion === 'render threads';
  const encoder = createVideoEncoder({ out, width: SIZE, height: SIZE, fps: 25, colourConversion: inThreads ? 'yuv420pInput' : 'ffmpeg' });
  const converter = createYuv420Converter(SIZE, SIZE);
  for (let i = 0; i < 12; i += 1) {
    const f = { width: SIZE, height: SIZE, data: frame(i) };
    if (marked) embedWatermark(f, payload, i, { key: 'video-test' });
    await encoder.write(inThreads ? converter.convert(f.data) : f.data);
  }
  await encoder.finish();
  return out;
}

describe('detectWatermarkInVideo', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it.each<Conversion>(['render threads', 'ffmpeg'])('finds the payload in an H.264 video from the worker encoder (colours converted by %s), and nothing in a clean one', async (conversion) => {
    const dir = await mkdtemp(join(tmpdir(), 'wm-video-'));
    dirs.push(dir);
    const marked = await detectWatermarkInVideo(await writeVideo(join(dir, 'marked.mp4'), true, conversion), { key: 'video-test' });
    expect(marked.found).toBe(true);
    expect(Array.from(marked.payload ?? [])).toEqual(Array.from(payload));
    expect(marked.frames).toBe(12);
    const clean = await detectWatermarkInVideo(await writeVideo(join(dir, 'clean.mp4'), false, conversion), { key: 'video-test' });
    expect(clean.found).toBe(false);
    expect(clean.payload).toBeNull();
  });
});
