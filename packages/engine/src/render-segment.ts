import { MOTION_CHANNEL_COUNT as C } from '@portrait-farm/contracts';
import { createVideoEncoder } from '@portrait-farm/media';
import type { PreparedClip } from './prepared-clip.ts';
import type { ProgressReporter } from './progress.ts';
import type { RenderPool } from './render-pool.ts';
import type { SegmentPlan } from './segment-plan.ts';

/** Options of {@link renderSegmentChunk}. */
export interface RenderSegmentOptions {
  /** The chunk file to write (.mp4 or .ts). */
  out: string;
  signal?: AbortSignal | null;
  /** Advanced with the clip-wide count of frames done. */
  progress?: ProgressReporter | null;
}

/** A chunk whose frames are all rendered and handed to the encoder; `encoded` settles when the file is complete. */
export interface StartedChunk {
  frames: number;
  encoded: Promise<void>;
}

/**
 * Renders a segment's output frames into an H.264 chunk encoder (starting on an IDR frame, fixed encoder settings,
 * for joining without re-encoding) and returns once every frame is written, while the encoder still flushes: the
 * caller can render the next segment meanwhile. `outputMotion` holds the frames' motion (segmentOutputMotion).
 */
export async function startSegmentChunk(pool: RenderPool, clip: PreparedClip, segment: SegmentPlan, outputMotion: Float32Array, options: RenderSegmentOptions): Promise<StartedChunk> {
  const { width, height } = clip.source.image;
  const frames = segment.frameEnd - segment.frameStart;
  const signal = options.signal ?? null;
  const encoder = createVideoEncoder({ out: options.out, width, height, fps: clip.fps, mode: 'chunk', signal });
  try {
    await pool.renderFrames(
      frames,
      (index) => outputMotion.slice(index * C, (index + 1) * C),
      async (frame, index) => {
        await encoder.write(frame);
        options.progress?.advance(segment.frameStart + index + 1);
      },
      signal,
    );
  } catch (error) {
    await encoder.abort();
    throw error;
  }
  const encoded = encoder.finish().then(() => undefined);
  encoded.catch(() => {});
  return { frames, encoded };
}

/** {@link startSegmentChunk}, resolving once the chunk file is complete. */
export async function renderSegmentChunk(pool: RenderPool, clip: PreparedClip, segment: SegmentPlan, outputMotion: Float32Array, options: RenderSegmentOptions): Promise<{ frames: number }> {
  const started = await startSegmentChunk(pool, clip, segment, outputMotion, options);
  await started.encoded;
  return { frames: started.frames };
}
