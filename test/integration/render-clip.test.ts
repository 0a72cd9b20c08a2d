import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHUNKS_PER_ENCODER, DEFAULT_SEGMENT_WINDOWS, planSegments, renderClip, type RenderResult } from '@portrait-farm/engine';
import { createFaceAnalyzer } from '@portrait-farm/face';
import { probeMedia, readVideoFrames, type MediaInfo, type VideoFrames } from '@portrait-farm/media';
import { writeEngineTestPack } from '@portrait-farm/test-support/engine-test-pack';
import { FACE_MODELS_DIR, STARTER_PACK } from '@portrait-farm/test-support/repo-models';

const fixtures = new URL('../fixtures/', import.meta.url).pathname;
const image = join(fixtures, 'astronaut.png');
const audio = join(fixtures, 'speech-3s.wav');
const phones = JSON.parse(readFileSync(join(fixtures, 'speech-3s.phones.json'), 'utf8')) as Array<{ phone: string; start: number; end: number }>;
const AUDIO_SECONDS = 3.635;
const FPS = 25;
const OUTER_LIPS = [61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 375, 321, 405, 314, 17, 84, 181, 91, 146];

interface Box { x0: number; y0: number; x1: number; y1: number }

function regionMean(frames: VideoFrames, index: number, box: Box): number {
  const frame = frames.frames[frames.indices.indexOf(index)]!;
  let sum = 0;
  let count = 0;
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++) {
      const p = (y * frames.width + x) * 3;
      sum += frame[p]! + frame[p + 1]! + frame[p + 2]!;
      count += 3;
    }
  }
  return sum / count;
}

function regionChange(frames: VideoFrames, a: number, b: number, box: Box): number {
  const fa = frames.frames[frames.indices.indexOf(a)]!;
  const fb = frames.frames[frames.indices.indexOf(b)]!;
  let sum = 0;
  let count = 0;
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++) {
      for (let c = 0; c < 3; c++) {
        const p = (y * frames.width + x) * 3 + c;
        sum += Math.abs(fa[p]! - fb[p]!);
        count++;
      }
    }
  }
  return sum / count;
}

function frameRange(start: number, end: number): number[] {
  const frames: number[] = [];
  for (let f = Math.ceil(start * FPS); f < Math.floor(end * FPS); f++) frames.push(f);
  return frames;
}

describe('renderClip: a 3 s clip of the committed portrait and speech', () => {
  const work = mkdtempSync(join(tmpdir(), 'render-clip-'));
  const out = join(work, 'clip.mp4');
  const stillHeadOut = join(work, 'still-head.mp4');
  const graphOut = join(work, 'graph.mp4');
  let result: RenderResult;
  let graph: VideoFrames;
  let info: MediaInfo;
  let frames: VideoFrames;
  let stillHead: VideoFrames;
  let mouth: Box;

  beforeAll(async () => {
    const pack = existsSync(join(STARTER_PACK, 'manifest.json')) ? STARTER_PACK : join(work, 'pack');
    if (pack !== STARTER_PACK) writeEngineTestPack(pack);
    result = await renderClip({ image, audio, out, pack, providers: ['cpu'], seed: 7 });
    info = await probeMedia(out);
    frames = await readVideoFrames(out);
    await renderClip({ image, audio, out: stillHeadOut, pack, providers: ['cpu'], seed: 7, controls: { motionIntensity: 0 } });
    stillHead = await readVideoFrames(stillHeadOut);
    // The GPU path's renderer, on the CPU provider (issue 17).
    await renderClip({ image, audio, out: graphOut, pack, providers: ['cpu'], seed: 7, renderer: 'onnx-graph' });
    graph = await readVideoFrames(graphOut);
    const analyzer = await createFaceAnalyzer({ modelsDir: FACE_MODELS_DIR, providers: ['cpu'] });
    const analysis = await analyzer.analyze(image);
    await analyzer.close();
    const xs = OUTER_LIPS.map((i) => analysis.landmarks[i * 3]!);
    const ys = OUTER_LIPS.map((i) => analysis.landmarks[i * 3 + 1]!);
    const width = Math.max(...xs) - Math.min(...xs);
    mouth = {
      x0: Math.floor(Math.min(...xs) - 0.1 * width),
      x1: Math.ceil(Math.max(...xs) + 0.1 * width),
      y0: Math.floor(Math.min(...ys) - 0.15 * width),
      y1: Math.ceil(Math.max(...ys) + 0.35 * width),
    };
  }, 240_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('writes H.264 yuv420p with the original audio as AAC, as long as the audio to within one frame', () => {
    expect(result.frames).toBe(Math.ceil(AUDIO_SECONDS * FPS));
    expect(info.video).toMatchObject({ codec: 'h264', pixelFormat: 'yuv420p', width: 512, height: 512, frameCount: result.frames });
    expect(info.video?.fps).toBeCloseTo(FPS, 5);
    expect(info.audio).toMatchObject({ codec: 'aac', channels: 1 });
    expect(Math.abs(info.durationSeconds! - AUDIO_SECONDS)).toBeLessThanOrEqual(1 / FPS);
    expect(Math.abs(info.audio!.durationSeconds! - AUDIO_SECONDS)).toBeLessThanOrEqual(1 / FPS);
    expect(frames.frames).toHaveLength(result.frames);
  });

  // The graph's frames are within two levels of the CPU renderer's (packages/engine/src/render-pool.test.ts); x264
  // encodes two such inputs differently, so the decoded frames differ by about x264's own loss (measured: the worst
  // frame 1.9 levels on average, 39.3 dB).
  it('renders with the onnx-graph renderer (the GPU path, here on the CPU provider) to within x264 noise of the CPU renderer', () => {
    expect(graph.frames).toHaveLength(frames.frames.length);
    frames.frames.forEach((frame, index) => {
      const other = graph.frames[index]!;
      let sum = 0;
      let squares = 0;
      for (let i = 0; i < frame.length; i++) {
        const difference = frame[i]! - other[i]!;
        sum += Math.abs(difference);
        squares += difference * difference;
      }
      expect(sum / frame.length).toBeLessThan(3);
      expect(10 * Math.log10((255 * 255 * frame.length) / squares)).toBeGreaterThan(36);
    });
  });

  it('moves the mouth while speaking and holds it still in the pause (head held still)', () => {
    const pause = phones.find((p) => p.phone === 'pau' && p.end - p.start > 0.5)!;
    const silent = frameRange(pause.start + 0.16, pause.end - 0.12);
    const speaking = [...frameRange(0.25, pause.start - 0.05), ...frameRange(pause.end + 0.1, 3.3)];
    expect(silent.length).toBeGreaterThanOrEqual(8);

    const speakingMeans = speaking.map((f) => regionMean(stillHead, f, mouth));
    const spread = Math.max(...speakingMeans) - Math.min(...speakingMeans);
    const speakingChange = speaking.slice(1).map((f) => regionChange(stillHead, f - 1, f, mouth));
    const silentChange = silent.slice(1).map((f) => regionChange(stillHead, f - 1, f, mouth));
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

    expect(spread).toBeGreaterThan(4);
    expect(mean(silentChange)).toBeLessThan(1.5);
    expect(mean(speakingChange)).toBeGreaterThan(3 * mean(silentChange));
  });

  it('keeps the background still while the head moves (up to x264 noise across GOPs)', () => {
    const corners: Box[] = [
      { x0: 0, y0: 0, x1: 64, y1: 64 },
      { x0: 448, y0: 0, x1: 512, y1: 64 },
      { x0: 0, y0: 448, x1: 64, y1: 512 },
      { x0: 448, y0: 448, x1: 512, y1: 512 },
    ];
    for (const box of corners) {
      for (const f of [10, 30, 45, 60, 80]) expect(regionChange(frames, f - 1, f, box)).toBeLessThan(0.5);
      for (const f of [45, 80]) expect(regionChange(frames, 0, f, box)).toBeLessThan(3);
    }
  });
});

describe('renderClip: more chunks than one ffmpeg encodes (a 29 s clip: a batch of 5 chunks, then 1)', () => {
  const work = mkdtempSync(join(tmpdir(), 'render-clip-batches-'));
  // 29 s at 12 fps (348 frames): 15 motion windows, segments of 1, 2, 3, 3, 3 and 3 windows.
  const speech = join(work, 'speech-29s.wav');
  let pack = STARTER_PACK;
  beforeAll(() => {
    execFileSync('ffmpeg', ['-v', 'error', '-stream_loop', '1', '-i', join(fixtures, 'demo-speech-20s.ogg'), '-t', '29', '-ac', '1', speech]);
    if (!existsSync(join(STARTER_PACK, 'manifest.json'))) {
      pack = join(work, 'pack');
      writeEngineTestPack(pack);
    }
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('joins every chunk, each starting on a keyframe, and leaves no chunk behind', async () => {
    expect(CHUNKS_PER_ENCODER).toBeLessThan(6);
    const outDir = mkdtempSync(join(work, 'out-'));
    const out = join(outDir, 'clip.mp4');
    const result = await renderClip({ image, audio: speech, out, pack, providers: ['cpu'], seed: 3, mode: 'crop', fps: 12 });
    expect(result.frames).toBe(348);
    expect((await probeMedia(out)).video?.frameCount).toBe(348);
    const flags = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts,flags', '-of', 'csv=p=0', out], { encoding: 'utf8' })
      .trim().split('\n').map((line) => line.split(',')).map(([pts, flag]) => ({ pts: Number(pts), key: flag!.startsWith('K') }));
    const presentationOrder = flags.map((packet) => packet.pts).sort((a, b) => a - b);
    const keyframes = flags.filter((packet) => packet.key).map((packet) => presentationOrder.indexOf(packet.pts)).sort((a, b) => a - b);
    // One chunk per segment (their output frames start a look-back before the segment's motion).
    const plan = planSegments({ motionFrames: 725, outputFrames: 348, packFps: 25, fps: 12, window: 50, context: 10, segmentWindows: DEFAULT_SEGMENT_WINDOWS });
    expect(plan.map((segment) => segment.windowCount)).toEqual([1, 2, 3, 3, 3, 3]);
    expect(keyframes).toEqual(expect.arrayContaining(plan.map((segment) => segment.frameStart)));
    expect(readdirSync(outDir)).toEqual(['clip.mp4']);
  }, 240_000);

  it('fails with the error of a batch whose ffmpeg fails after its frames, and leaves no ffmpeg or chunk behind', async () => {
    // An ffmpeg that takes the first batch's frames and fails at its end, while the second batch renders.
    const failing = join(work, 'ffmpeg-failing-first-batch');
    writeFileSync(failing, '#!/bin/sh\ncase "$*" in *00000.ts*) cat > /dev/null; echo "disk full" >&2; exit 1;; esac\nexec ffmpeg "$@"\n', { mode: 0o755 });
    const outDir = mkdtempSync(join(work, 'failing-'));
    const previous = process.env['FFMPEG_PATH'];
    process.env['FFMPEG_PATH'] = failing;
    try {
      await expect(renderClip({ image, audio: speech, out: join(outDir, 'clip.mp4'), pack, providers: ['cpu'], seed: 3, mode: 'crop', fps: 12 }))
        .rejects.toMatchObject({ code: 'MEDIA_ENCODE_FAILED', message: expect.stringContaining('disk full') });
    } finally {
      if (previous === undefined) delete process.env['FFMPEG_PATH'];
      else process.env['FFMPEG_PATH'] = previous;
    }
    expect(readdirSync(outDir)).toEqual([]);
    const left = execFileSync('ps', ['-o', 'args=', '--ppid', String(process.pid)], { encoding: 'utf8' }).split('\n').filter((line) => line.includes(outDir));
    expect(left).toEqual([]);
  }, 240_000);
});
