import { mkdtemp, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { concatChunks, createChunkBatchEncoder, encodeAudioTrack } from '@portrait-farm/media';
import { prepareClipRenderer } from './clip-renderer.ts';
import { createEngine, type Engine } from './engine.ts';
import { prepareClip, throwIfAborted } from './prepare-clip.ts';
import type { PreparedClip } from './prepared-clip.ts';
import { ProgressReporter, type ProgressListener } from './progress.ts';
import type { RenderThreads } from './render-pool.ts';
import { resolveRenderOptions, type RenderClipOptions, type ResolvedRenderOptions } from './render-options.ts';
import { renderSegmentFrames } from './render-segment.ts';
import { generateClipMotion } from './clip-motion.ts';

/** What {@link renderClip} made. */
export interface RenderResult {
  out: string;
  frames: number;
  fps: number;
  width: number;
  height: number;
  durationSeconds: number;
  /** Execution provider of the denoiser. */
  provider: string;
  /**
   * Seconds per stage: decode, face, audio, motion (the first segment's, and the render's waits for later ones), render
   * (rendering, chunk encoding and the later segments' motion overlap), encode (the join).
   */
  timings: Record<string, number>;
}

/**
 * Chunks one ffmpeg encodes (createChunkBatchEncoder), each with the bytes of its own process. Starting ffmpeg costs
 * about half the CPU of encoding a 2 s chunk at 512x512, while every chunk's encoder stays in memory until its process
 * ends (some 30 MiB each): a batch is 10 s of video (docs/performance.md, "One ffmpeg for a run of chunks").
 */
export const CHUNKS_PER_ENCODER = 5;

/** Portrait + audio -> talking MP4 on this machine, loading the pack's models for this one clip. */
export async function renderClip(options: RenderClipOptions, onProgress?: ProgressListener): Promise<RenderResult> {
  const resolved = resolveRenderOptions(options);
  const engine = await createEngine({ pack: resolved.pack, providers: resolved.providers, log: resolved.log });
  try {
    return await renderClipWith(engine, resolved, onProgress);
  } catch (error) {
    // Canceled in any stage (an ffmpeg stopped in decode or encode included), the render says so in one way.
    throwIfAborted(resolved.signal);
    throw error;
  } finally {
    // Waits for the runs in flight in the inference threads before releasing their sessions.
    await engine.close();
  }
}

/**
 * {@link renderClip} with an engine whose models are already loaded, on the engine's render threads
 * (`engine.renderThreads(o.renderThreads, o.renderer)`, kept for its later clips). It renders exactly as the farm does: segment by
 * segment, each an H.264 chunk, joined without re-encoding and muxed with the original audio's AAC track (encoded
 * meanwhile), so a farm render with the same seed is bit-identical to this one.
 */
export async function renderClipWith(engine: Engine, o: ResolvedRenderOptions, onProgress?: ProgressListener): Promise<RenderResult> {
  const progress = new ProgressReporter(onProgress);
  // The engine's render threads: on its first clip they load their modules while the audio is decoded and the face
  // analysed.
  const threads = engine.renderThreads(o.renderThreads, o.renderer);
  const clip = await prepareClip(engine, o, progress);
  try {
    return await renderPreparedClip(engine, o, clip, threads, progress);
  } finally {
    await clip.audio.release();
  }
}

async function renderPreparedClip(engine: Engine, o: ResolvedRenderOptions, clip: PreparedClip, threads: RenderThreads, progress: ProgressReporter): Promise<RenderResult> {
  const { width, height } = clip.source.image;
  const chunksDir = await mkdtemp(join(dirname(o.out), '.portrait-farm-chunks-'));
  // The sound track is encoded beside the segments, at a low CPU priority, not after the last chunk (as the farm).
  const track = prefetch(encodeAudioTrack(o.audio, join(chunksDir, 'audio.m4a'), { signal: o.signal, background: true }));
  const pool = threads.portrait(prepareClipRenderer(clip));
  // Segment i renders while the motion of the segments after it is generated.
  const stopMotion = new AbortController();
  const motions = generateClipMotion(engine, clip, { signal: AbortSignal.any([stopMotion.signal, ...(o.signal === null ? [] : [o.signal])]) });
  let flushing: Promise<unknown> = Promise.resolve();
  try {
    const chunks: string[] = [];
    // The stage before the first frame is the first segment's motion; later segments' motion overlaps rendering.
    progress.start('motion', clip.segments[0]!.motionEnd);
    await motions[0];
    progress.advance(clip.segments[0]!.motionEnd);
    progress.start('render', clip.outputFrames);
    for (let first = 0; first < clip.segments.length; first += CHUNKS_PER_ENCODER) {
      const batch = clip.segments.slice(first, first + CHUNKS_PER_ENCODER).map((segment) => ({
        segment,
        out: join(chunksDir, `${String(segment.index).padStart(5, '0')}.ts`),
        frames: segment.frameEnd - segment.frameStart,
      }));
      const encoder = createChunkBatchEncoder({ chunks: batch, width, height, fps: clip.fps, signal: o.signal });
      try {
        for (const { segment } of batch) {
          const waitStarted = performance.now();
          const motion = await motions[segment.index]!;
          progress.attribute('motion', (performance.now() - waitStarted) / 1000);
          await renderSegmentFrames(pool, clip, segment, motion, encoder, { signal: o.signal, progress, label: o.label, watermark: o.watermark });
        }
      } catch (error) {
        await encoder.abort();
        throw error;
      }
      // A batch flushes while the next renders, as the farm's chunk encoders do segment by segment; this one's
      // ffmpeg is told to finish before the one before is awaited, so that a failure there leaves no ffmpeg waiting.
      const previous = flushing;
      flushing = prefetch(encoder.finish());
      await previous;
      chunks.push(...batch.map((chunk) => chunk.out));
    }
    await flushing;
    progress.start('encode');
    await concatChunks(chunks, (await track).out, o.out, { signal: o.signal, audioIsTrack: true });
  } catch (error) {
    stopMotion.abort();
    await Promise.allSettled([...motions, flushing]);
    await rm(o.out, { force: true });
    throw error;
  } finally {
    await pool.close();
    await track.catch(() => {});
    await rm(chunksDir, { recursive: true, force: true });
  }
  const timings = progress.finish();
  return { out: o.out, frames: clip.outputFrames, fps: o.fps, width, height, durationSeconds: clip.audioSeconds, provider: engine.provider, timings };
}

/** A promise awaited later: its rejection must not count as unhandled if the render fails before then. */
function prefetch<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}
