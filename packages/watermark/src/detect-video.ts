import { readVideoFrames } from '@portrait-farm/media';
import { type DetectOptions, WatermarkDetector, type WatermarkDetection } from './detect.ts';

export interface DetectVideoOptions extends DetectOptions {
  /** Frames read from the start of the video. @defaultValue 250 (10 s at 25 fps) */
  maxFrames?: number;
  signal?: AbortSignal;
}

/** Decodes a video's first frames (RGB24, at its own resolution) and detects the watermark over them. */
export async function detectWatermarkInVideo(path: string, options: DetectVideoOptions = {}): Promise<WatermarkDetection> {
  const maxFrames = options.maxFrames ?? 250;
  const video = await readVideoFramesUpTo(path, maxFrames, options.signal);
  const detector = new WatermarkDetector();
  for (const data of video.frames) detector.addFrame({ width: video.width, height: video.height, data });
  return detector.result(options);
}

async function readVideoFramesUpTo(path: string, maxFrames: number, signal?: AbortSignal) {
  try {
    return await readVideoFrames(path, Array.from({ length: maxFrames }, (_, i) => i), signal);
  } catch (error) {
    // Shorter videos: read them whole.
    if (error instanceof Error && /do not exist/.test(error.message)) return readVideoFrames(path, undefined, signal);
    throw error;
  }
}
