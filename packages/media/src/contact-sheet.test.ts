import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { saveContactSheet } from './contact-sheet.ts';
import { makeTempDir, portraitFrames } from './testing/test-support.ts';
import { createVideoEncoder } from './video-encoder.ts';

const temp = makeTempDir();
afterAll(() => temp.cleanup());

describe('saveContactSheet', () => {
  it('lays frames from memory out in a grid', async () => {
    const frames = await portraitFrames(5, 64);
    const out = join(temp.dir, 'frames.png');
    const sheet = await saveContactSheet({ frames, width: 64, height: 64 }, out, { columns: 3, tileWidth: 96 });
    const meta = await sharp(out).metadata();
    expect(meta).toMatchObject({ format: 'png', width: sheet.width, height: sheet.height });
    expect(sheet.width).toBe(3 * 96 + 4 * 4);
    expect(sheet.height).toBe(2 * (96 + 18) + 3 * 4);
  });

  it('takes chosen frames from a video', async () => {
    const video = join(temp.dir, 'clip.mp4');
    const encoder = createVideoEncoder({ out: video, width: 128, height: 128, fps: 25 });
    for (const frame of await portraitFrames(20, 128)) await encoder.write(frame);
    await encoder.finish();
    const out = join(temp.dir, 'video.png');
    const sheet = await saveContactSheet({ video, frameIndices: [0, 10, 19] }, out, { columns: 3, tileWidth: 128 });
    expect(sheet.width).toBe(3 * 128 + 4 * 4);
    const stats = await sharp(out).stats();
    expect(stats.channels[0]?.max).toBeGreaterThan(200);
  });

  it('refuses frame indices past the end of the video', async () => {
    const video = join(temp.dir, 'clip.mp4');
    await expect(saveContactSheet({ video, frameIndices: [5, 40] }, join(temp.dir, 'x.png'))).rejects.toMatchObject({
      code: 'MEDIA_BAD_OPTION',
      message: expect.stringContaining('has 20 frames; frame indices 40 do not exist'),
    });
  });
});
