import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { h264ParameterDigest } from './h264-parameter-sets.ts';
import { probeMedia } from './probe-media.ts';
import { fixture, makeTempDir, portraitFrames } from './testing/test-support.ts';
import { createVideoEncoder } from './video-encoder.ts';

const temp = makeTempDir();
afterAll(() => temp.cleanup());

/** Chunks of every container with three settings: two of the first (other frames), one with another crf, one smaller. */
const variants = [
  { name: 'a1', size: 64, crf: 20, from: 0 },
  { name: 'a2', size: 64, crf: 20, from: 10 },
  { name: 'crf30', size: 64, crf: 30, from: 0 },
  { name: 'small', size: 48, crf: 20, from: 0 },
];
const files: Record<string, string> = {};

beforeAll(async () => {
  for (const ext of ['ts', 'mp4']) {
    for (const v of variants) {
      const frames = await portraitFrames(v.from + 10, v.size);
      const out = join(temp.dir, `${v.name}.${ext}`);
      const encoder = createVideoEncoder({ out, width: v.size, height: v.size, fps: 25, mode: 'chunk', crf: v.crf });
      for (const frame of frames.slice(v.from)) await encoder.write(frame);
      await encoder.finish();
      files[`${v.name}.${ext}`] = out;
    }
  }
});

describe('h264ParameterDigest', () => {
  it('agrees with ffprobe on which chunks share their parameters, for MPEG-TS and MP4 chunks', async () => {
    const names = Object.keys(files);
    const digest: Record<string, string | null> = {};
    const probed: Record<string, string> = {};
    for (const name of names) {
      digest[name] = await h264ParameterDigest(files[name]!);
      expect(digest[name], name).toMatch(/^[0-9a-f]{32}$/);
      const video = (await probeMedia(files[name]!, { countPackets: false })).video!;
      probed[name] = `${name.split('.')[1]} ${video.width}x${video.height} ${video.pixelFormat} ${video.extradataHash}`;
    }
    for (const a of names) for (const b of names) expect(digest[a] === digest[b], `${a} vs ${b}`).toBe(probed[a] === probed[b]);
    expect(digest['a1.ts']).toBe(digest['a2.ts']);
    expect(digest['a1.mp4']).toBe(digest['a2.mp4']);
  });

  it('gives null for files that are not H.264 chunks and for a chunk cut before its first slice; reads the container, not the name', async () => {
    expect(await h264ParameterDigest(fixture('speech-3s.wav'))).toBeNull();
    expect(await h264ParameterDigest(fixture('astronaut.png'))).toBeNull();
    expect(await h264ParameterDigest(fixture('speech-3s-stereo-44k.m4a'))).toBeNull();
    const cut = join(temp.dir, 'cut.ts');
    await writeFile(cut, (await readFile(files['a1.ts']!)).subarray(0, 188 * 3));
    expect(await h264ParameterDigest(cut)).toBeNull();
    const empty = join(temp.dir, 'empty.ts');
    await writeFile(empty, Buffer.alloc(0));
    expect(await h264ParameterDigest(empty)).toBeNull();
    const renamed = join(temp.dir, 'mp4-named.ts');
    await copyFile(files['a1.mp4']!, renamed);
    expect(await h264ParameterDigest(renamed)).toBe(await h264ParameterDigest(files['a1.mp4']!));
  });
});
