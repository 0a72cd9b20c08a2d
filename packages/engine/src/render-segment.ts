import { rm } from 'node:fs/promises';
import { SAMPLE_RATE } from '@portrait-farm/audio-features';
import { MOTION_CHANNEL_COUNT as C } from '@portrait-farm/contracts';
import { createVideoEncoder, H264_SETTINGS, writeChunkSound, type VideoEncoder } from '@portrait-farm/media';
import type { FrameFormat } from './frame-conversion.ts';
import { frameMarks, type EngineWatermark } from './frame-marks.ts';
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
  /**
   * Make a chunk of the live stream (HLS) too: timestamps at the segment's place in the clip and the segment's slice
   * of the clip's audio (AAC, see writeChunkSound), encoded by the chunk's ffmpeg. Joining such chunks with concatChunks gives the same video as
   * joining chunks without (their sound is not used; the final video's is the original track).
   * @defaultValue false
   */
  live?: boolean;
  /** Draw the visible "AI-GENERATED" label on every frame (job option `label`). @defaultValue false */
  label?: boolean;
  /**
   * Embed the invisible watermark (@portrait-farm/watermark) in every frame, after the label, before it is encoded.
   * Set by whoever runs the engine (the farm's segment step: the job's payload and the operator's key), never by a
   * job's options. @defaultValue null (no watermark)
   */
  watermark?: EngineWatermark | null;
}

/**
 * How chunk frames reach the encoder: converted to yuv420p by the render thread that drew them (the WebAssembly SIMD
 * kernel, the same bytes on every machine) and piped as they are, which costs less CPU than ffmpeg's conversion
 * (docs/performance.md, "Colour conversion in the render threads"). The farm's chunks and renderClip's share it.
 */
export const CHUNK_FRAME_FORMAT: FrameFormat = 'yuv420p';

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
  const startSeconds = segment.frameStart / clip.fps;
  const sound = options.live === true
    ? await writeChunkSound({ samples: clip.audio, sampleRate: SAMPLE_RATE, startSeconds, durationSeconds: frames / clip.fps, out: `${options.out}.f32` })
    : null;
  const removeSound = async (): Promise<void> => {
    if (sound !== null) await rm(sound.path, { force: true });
  };
  let encoder: VideoEncoder;
  try {
    encoder = createVideoEncoder({
      out: options.out, width, height, fps: clip.fps, mode: 'chunk', signal,
      colourConversion: CHUNK_FRAME_FORMAT === 'yuv420p' ? 'yuv420pInput' : H264_SETTINGS.colourConversion,
      ...(options.live === true ? { startSeconds, chunkSound: sound } : {}),
    });
  } catch (error) {
    await removeSound();
    throw error;
  }
  try {
    await renderSegmentFrames(pool, clip, segment, outputMotion, encoder, options);
  } catch (error) {
    await encoder.abort();
    await removeSound();
    throw error;
  }
  const encoded = encoder.finish().then(removeSound, async (error: unknown) => {
    await removeSound();
    throw error;
  });
  encoded.catch(() => {});
  return { frames, encoded };
}

/** Where {@link renderSegmentFrames} writes: an encoder taking the frames in order, each awaited before the next. */
export interface FrameSink {
  write(frame: Uint8Array): Promise<void>;
}

/**
 * Renders a segment's output frames (yuv420p, {@link CHUNK_FRAME_FORMAT}) with the label and watermark of `options`
 * into `sink`, in order. `outputMotion` holds the frames' motion (segmentOutputMotion).
 */
export async function renderSegmentFrames(pool: RenderPool, clip: PreparedClip, segment: SegmentPlan, outputMotion: Float32Array, sink: FrameSink, options: Omit<RenderSegmentOptions, 'out' | 'live'>): Promise<void> {
  const marks = frameMarks(options.label === true, options.watermark ?? null, segment.frameStart);
  await pool.renderFrames(
    segment.frameEnd - segment.frameStart,
    (index) => outputMotion.slice(index * C, (index + 1) * C),
    async (frame, index) => {
      await sink.write(frame);
      options.progress?.advance(segment.frameStart + index + 1);
    },
    options.signal ?? null,
    marks,
    CHUNK_FRAME_FORMAT,
  );
}

/** {@link startSegmentChunk}, resolving once the chunk file is complete. */
export async function renderSegmentChunk(pool: RenderPool, clip: PreparedClip, segment: SegmentPlan, outputMotion: Float32Array, options: RenderSegmentOptions): Promise<{ frames: number }> {
  const started = await startSegmentChunk(pool, clip, segment, outputMotion, options);
  await started.encoded;
  return { frames: started.frames };
}
