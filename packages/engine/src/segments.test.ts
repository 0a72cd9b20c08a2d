import { execFileSync } from 'node:child_process';
import { readFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOTION_CHANNEL_COUNT as C } from '@portrait-farm/contracts';
import { concatChunks, decodeAudio, encodeAudioTrack, readVideoFrames } from '@portrait-farm/media';
import { labelLayout } from './ai-label.ts';
import { applyControls, createMotionGenerator, resample } from '@portrait-farm/motion';
import { prepareClipRenderer } from './clip-renderer.ts';
import { createEngine, type Engine } from './engine.ts';
import { prepareClip } from './prepare-clip.ts';
import type { PreparedClip, SegmentRelay } from './prepared-clip.ts';
import { ProgressReporter } from './progress.ts';
import { renderClipWith } from './render-clip.ts';
import { retargetToPortrait } from './retarget.ts';
import { resolveRenderOptions, type RenderClipOptions } from './render-options.ts';
import { createRenderPool } from './render-pool.ts';
import { renderSegmentChunk } from './render-segment.ts';
import { generateSegmentMotion, segmentFeatures, segmentOutputMotion } from './segment-motion.ts';
import { writeEngineTestPack } from '@portrait-farm/test-support/engine-test-pack';
import { detectWatermarkInVideo } from '@portrait-farm/watermark';

const fixtures = new URL('../../../test/fixtures/', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'engine-segments-'));
const pack = join(work, 'pack');
const base: RenderClipOptions = {
  image: join(fixtures, 'astronaut.png'),
  audio: join(fixtures, 'speech-3s.wav'),
  out: join(work, 'whole.mp4'),
  pack,
  mode: 'crop',
  seed: 11,
  // A head distance: frames are a camera zoom (zooming out extends the border), which must split like the rest.
  controls: { blinkRate: 20, emotion: 'happy', gaze: 'camera', headDistance: -0.2 },
};
let engine: Engine;

async function chainMotion(clip: PreparedClip): Promise<{ output: Float32Array[]; relays: Array<SegmentRelay | null>; generated: Float32Array[] }> {
  const output: Float32Array[] = [];
  const relays: Array<SegmentRelay | null> = [];
  const generated: Float32Array[] = [];
  let relay: SegmentRelay | null = null;
  for (const segment of clip.segments) {
    relays.push(relay);
    const result = await generateSegmentMotion(engine, clip, segment, relay, await segmentFeatures(engine, clip, segment));
    generated.push(result.motion);
    output.push(segmentOutputMotion(engine, clip, segment, relay, result.motion));
    relay = result.relay;
  }
  return { output, relays, generated };
}

const longAudio = join(work, 'speech-7s.wav');

beforeAll(async () => {
  execFileSync('ffmpeg', ['-v', 'error', '-stream_loop', '1', '-i', join(fixtures, 'speech-3s.wav'), longAudio]);
  writeEngineTestPack(pack, { defaultSteps: 4 });
  engine = await createEngine({ pack, providers: ['cpu'] });
}, 60_000);

afterAll(async () => {
  await engine?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('segments', () => {
  for (const fps of [12, 25, 30]) {
    for (const segmentWindows of [[1], [1, 2]]) {
      it(`from their own feature rows give the whole clip's motion frame for frame (fps ${fps}, segments of [${segmentWindows.join(', ')}] windows)`, async () => {
        const options = resolveRenderOptions({ ...base, audio: longAudio, fps });
        const clip = await prepareClip(engine, options, new ProgressReporter(undefined), { segmentWindows });
        expect(clip.segments.length).toBeGreaterThan(1);
        const { output } = await chainMotion(clip);
        const joined = new Float32Array(clip.outputFrames * C);
        for (const [i, segment] of clip.segments.entries()) joined.set(output[i]!, segment.frameStart * C);

        const generator = await createMotionGenerator(engine.pack, engine.denoiser, { silenceFeature: engine.silenceFeature, seed: 11 });
        const features = await engine.audio.features(await clip.audio.read(0, clip.audio.sampleCount));
        expect(features.frameCount).toBe(clip.motionFrames);
        expect(features.melPeak).toBe(clip.melPeak);
        const generated = await generator.generateAll(features);
        retargetToPortrait(generated.data, clip.neutral, engine.pack.channelMean);
        const track = resample(applyControls(generated, clip.motion.controls, { channelMean: engine.pack.channelMean }), fps);
        const whole = track.data;
        const compared = Math.min(clip.outputFrames, track.frameCount) * C;
        expect(joined.subarray(0, compared)).toEqual(whole.subarray(0, compared));
      });
    }
  }

  it('prepare keeps the samples in a file and the mel peak, not features; each segment computes rows equal to the whole clip\'s from its stretch', async () => {
    const scratchDir = join(work, 'prepare-scratch');
    mkdirSync(scratchDir);
    const clip = await prepareClip(engine, resolveRenderOptions({ ...base, audio: longAudio }), new ProgressReporter(undefined), { scratchDir });
    expect(clip).not.toHaveProperty('features');
    expect(clip).not.toHaveProperty('samples');
    const samples = await clip.audio.read(0, clip.audio.sampleCount);
    expect(Buffer.from(samples.buffer).equals(Buffer.from((await decodeAudio(longAudio)).samples.buffer))).toBe(true);
    expect(clip.motionFrames).toBe(Math.ceil(samples.length / 640));
    const whole = await engine.audio.features(samples);
    expect(clip.melPeak).toBe(whole.melPeak);
    const dim = whole.dim;
    for (const segment of clip.segments) {
      const rows = await segmentFeatures(engine, clip, segment);
      const start = segment.firstWindow * engine.pack.denoiser.window;
      expect(rows).toMatchObject({ startFrame: start, clipFrameCount: clip.motionFrames, frameCount: segment.motionEnd - start });
      expect(Buffer.from(rows.data.buffer, rows.data.byteOffset, rows.data.byteLength)).toEqual(
        Buffer.from(whole.data.buffer, whole.data.byteOffset + start * dim * 4, rows.frameCount * dim * 4),
      );
    }
    expect(readdirSync(scratchDir)).toHaveLength(1);
    await clip.audio.release();
    expect(readdirSync(scratchDir)).toEqual([]);
  });

  it('render to chunks in any order and on separate thread pools, joining to the same bytes as renderClip', async () => {
    const options = resolveRenderOptions(base);
    const whole = await renderClipWith(engine, options);
    const clip = await prepareClip(engine, options, new ProgressReporter(undefined));
    const { output } = await chainMotion(clip);
    const prepared = prepareClipRenderer(clip);
    const chunks = clip.segments.map((s) => join(work, `chunk-${s.index}.ts`));
    for (const segment of [...clip.segments].reverse()) {
      const pool = await createRenderPool(prepared, 1 + (segment.index % 2));
      try {
        await renderSegmentChunk(pool, clip, segment, output[segment.index]!, { out: chunks[segment.index]! });
      } finally {
        await pool.close();
      }
    }
    const joined = join(work, 'joined.mp4');
    const track = await encodeAudioTrack(base.audio, join(work, 'track.m4a'));
    await concatChunks(chunks, track.out, joined, { audioIsTrack: true });
    expect(readFileSync(joined).equals(readFileSync(whole.out))).toBe(true);
  });

  it('renders clip after clip, and clips at once, on the render threads the engine started once, to the same bytes', async () => {
    const threads = engine.renderThreads(2);
    const options = (name: string): ReturnType<typeof resolveRenderOptions> => resolveRenderOptions({ ...base, out: join(work, name), renderThreads: 2 });
    const first = await renderClipWith(engine, options('first.mp4'));
    const [second, third] = await Promise.all([renderClipWith(engine, options('second.mp4')), renderClipWith(engine, options('third.mp4'))]);
    expect(engine.renderThreads(2)).toBe(threads);
    expect(readFileSync(second.out).equals(readFileSync(first.out))).toBe(true);
    expect(readFileSync(third.out).equals(readFileSync(first.out))).toBe(true);

    // Closing an engine closes its render threads.
    const clip = await prepareClip(engine, options('unused.mp4'), new ProgressReporter(undefined));
    const other = await createEngine({ pack, providers: ['cpu'] });
    const otherThreads = other.renderThreads(1);
    await other.close();
    expect(() => otherThreads.portrait(prepareClipRenderer(clip))).toThrow('The render threads are closed.');
    expect(() => other.renderThreads(1)).toThrow('The engine is closed, and its render threads with it.');
    await clip.audio.release();
  }, 60_000);

  it('embeds the invisible watermark (render option watermark) in every frame, after the label: found with its key, not with another', async () => {
    const payload = Uint8Array.from([0x5a, 0x01, 0xfe, 0x42, 0x00, 0x99, 0x10, 0xc3]);
    const key = 'engine-test-watermark-key';
    const out = join(work, 'watermarked.mp4');
    const result = await renderClipWith(engine, resolveRenderOptions({ ...base, out, label: true, watermark: { payload, key } }));
    const found = await detectWatermarkInVideo(result.out, { key });
    expect(found.found).toBe(true);
    expect(Buffer.from(found.payload!).toString('hex')).toBe(Buffer.from(payload).toString('hex'));
    expect((await detectWatermarkInVideo(result.out, { key: 'another-key-entirely' })).found).toBe(false);
    expect(() => resolveRenderOptions({ ...base, watermark: { payload: new Uint8Array(7) } })).toThrow('watermark.payload must be 8 bytes');
  }, 60_000);

  it('draws the AI-GENERATED label (job option label) in the corner of every frame, nothing elsewhere', async () => {
    const clip = await prepareClip(engine, resolveRenderOptions(base), new ProgressReporter(undefined));
    const { output } = await chainMotion(clip);
    const segment = clip.segments[0]!;
    const pool = await createRenderPool(prepareClipRenderer(clip), 1);
    const [plain, labelled] = [join(work, 'plain.ts'), join(work, 'labelled.ts')];
    try {
      await renderSegmentChunk(pool, clip, segment, output[0]!, { out: plain });
      await renderSegmentChunk(pool, clip, segment, output[0]!, { out: labelled, label: true });
    } finally {
      await pool.close();
    }
    const [a, b] = await Promise.all([readVideoFrames(plain, [0, 5]), readVideoFrames(labelled, [0, 5])]);
    const { width, height } = a;
    const box = labelLayout(width, height);
    for (const f of [0, 1]) {
      let inside = 0;
      let outside = 0;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const i = (y * width + x) * 3;
          const diff = Math.abs(a.frames[f]![i]! - b.frames[f]![i]!);
          const near = x >= box.x - 16 && x < box.x + box.width + 16 && y >= box.y - 16 && y < box.y + box.height + 16;
          if (x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height) inside += diff;
          else if (!near) outside = Math.max(outside, diff);
        }
      }
      expect(inside / (box.width * box.height)).toBeGreaterThan(20);
      expect(outside).toBeLessThan(8); // H.264 of the rest of the frame, barely touched
    }
  });
});
