import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChunkBatchEncoder, type BatchChunk } from './chunk-batch-encoder.ts';
import { concatChunks } from './concat-chunks.ts';
import { probeMedia } from './probe-media.ts';
import { rgbToYuv420 } from './rgb-to-yuv420.ts';
import { makeTempDir, portraitFrames, videoPacketFlags } from './testing/test-support.ts';
import { createVideoEncoder } from './video-encoder.ts';

const SIZE = 128;
const FPS = 25;
const COUNTS = [12, 1, 30];

const temp = makeTempDir();
let frames: Uint8Array[] = [];
beforeAll(async () => {
  frames = (await portraitFrames(COUNTS.reduce((a, b) => a + b, 0) + 1, SIZE)).map((rgb) => rgbToYuv420(rgb, SIZE, SIZE));
});
afterAll(() => temp.cleanup());

const chunksNamed = (name: string, extension: string): BatchChunk[] =>
  COUNTS.map((count, k) => ({ out: join(temp.dir, `${name}-${k}.${extension}`), frames: count }));

async function encodeApart(chunks: readonly BatchChunk[]): Promise<void> {
  let first = 0;
  for (const chunk of chunks) {
    const encoder = createVideoEncoder({ out: chunk.out, width: SIZE, height: SIZE, fps: FPS, mode: 'chunk', colourConversion: 'yuv420pInput' });
    for (const frame of frames.slice(first, first + chunk.frames)) await encoder.write(frame);
    await encoder.finish();
    first += chunk.frames;
  }
}

describe('createChunkBatchEncoder', () => {
  it.each(['ts', 'mp4'])('writes every chunk with the bytes of its own encoder (.%s)', async (extension) => {
    const apart = chunksNamed(`apart-${extension}`, extension);
    const batched = chunksNamed(`batch-${extension}`, extension);
    await encodeApart(apart);
    const encoder = createChunkBatchEncoder({ chunks: batched, width: SIZE, height: SIZE, fps: FPS });
    for (const frame of frames.slice(0, 43)) await encoder.write(frame);
    expect(await encoder.finish()).toEqual({ outs: batched.map((chunk) => chunk.out), frames: 43 });
    for (const [k, chunk] of batched.entries()) {
      expect(readFileSync(chunk.out).equals(readFileSync(apart[k]!.out)), chunk.out).toBe(true);
      expect((await probeMedia(chunk.out)).video?.frameCount).toBe(COUNTS[k]);
      expect((await videoPacketFlags(chunk.out))[0]).toMatch(/^K/);
    }
    const joined = join(temp.dir, `joined-${extension}.mp4`);
    await concatChunks(batched.map((chunk) => chunk.out), null, joined);
    expect((await probeMedia(joined)).video?.frameCount).toBe(43);
  });

  it('refuses a frame past the batch, and a finish before its last frame, removing what it wrote', async () => {
    const chunks = chunksNamed('count', 'ts');
    const encoder = createChunkBatchEncoder({ chunks, width: SIZE, height: SIZE, fps: FPS });
    for (const frame of frames.slice(0, 43)) await encoder.write(frame);
    await expect(encoder.write(frames[43]!)).rejects.toMatchObject({ code: 'MEDIA_BAD_FRAME', message: expect.stringContaining('takes 43 frames; frame 44') });
    await encoder.finish();

    const short = chunksNamed('short', 'ts');
    const early = createChunkBatchEncoder({ chunks: short, width: SIZE, height: SIZE, fps: FPS });
    for (const frame of frames.slice(0, 20)) await early.write(frame);
    await expect(early.finish()).rejects.toMatchObject({ code: 'MEDIA_BAD_FRAME', message: expect.stringContaining('takes 43 frames; 20 were written') });
    for (const chunk of short) expect(existsSync(chunk.out)).toBe(false);
  });

  it('refuses frames of another size and options it cannot encode', () => {
    expect(() => createChunkBatchEncoder({ chunks: [], width: SIZE, height: SIZE, fps: FPS })).toThrow(/at least one chunk/);
    expect(() => createChunkBatchEncoder({ chunks: [{ out: join(temp.dir, 'x.ts'), frames: 0 }], width: SIZE, height: SIZE, fps: FPS })).toThrow(/positive integer/);
    const same = join(temp.dir, 'same.ts');
    expect(() => createChunkBatchEncoder({ chunks: [{ out: same, frames: 2 }, { out: same, frames: 2 }], width: SIZE, height: SIZE, fps: FPS })).toThrow(/must differ/);
    expect(() => createChunkBatchEncoder({ chunks: [{ out: same, frames: 2 }], width: 127, height: SIZE, fps: FPS })).toThrow(/width must be an even integer/);
  });

  it('rejects a frame of the wrong size by its length', async () => {
    const encoder = createChunkBatchEncoder({ chunks: [{ out: join(temp.dir, 'size.ts'), frames: 2 }], width: SIZE, height: SIZE, fps: FPS });
    await expect(encoder.write(new Uint8Array(10))).rejects.toMatchObject({ code: 'MEDIA_BAD_FRAME', message: expect.stringContaining('Passed: 10 bytes') });
    await encoder.abort();
  });

  it('aborted (by abort() or its signal), stops ffmpeg and removes every chunk', async () => {
    const chunks = chunksNamed('aborted', 'ts');
    const encoder = createChunkBatchEncoder({ chunks, width: SIZE, height: SIZE, fps: FPS });
    for (const frame of frames.slice(0, 15)) await encoder.write(frame);
    await encoder.abort();
    for (const chunk of chunks) expect(existsSync(chunk.out)).toBe(false);
    await expect(encoder.write(frames[15]!)).rejects.toMatchObject({ code: 'MEDIA_ENCODER_CLOSED' });

    const controller = new AbortController();
    const signalled = chunksNamed('signalled', 'ts');
    const bySignal = createChunkBatchEncoder({ chunks: signalled, width: SIZE, height: SIZE, fps: FPS, signal: controller.signal });
    for (const frame of frames.slice(0, 15)) await bySignal.write(frame);
    controller.abort(new Error('the render was canceled'));
    await expect(bySignal.write(frames[15]!)).rejects.toMatchObject({ code: 'MEDIA_ABORTED', message: expect.stringContaining('the render was canceled') });
    for (const chunk of signalled) expect(existsSync(chunk.out)).toBe(false);
  });
});
