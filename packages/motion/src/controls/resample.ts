import { CHANNEL, MOTION_CHANNEL_COUNT as C, type MotionTrack } from '@portrait-farm/contracts';
import { MotionError } from '../errors.ts';

export const MIN_OUTPUT_FPS = 12;
export const MAX_OUTPUT_FPS = 60;
const PEAK_CHANNELS = [CHANNEL.blink_l, CHANNEL.blink_r];

/** Checks an output frame rate: a number in [12, 60]. */
export function checkOutputFps(fps: number): void {
  if (typeof fps !== 'number' || !Number.isFinite(fps) || fps < MIN_OUTPUT_FPS || fps > MAX_OUTPUT_FPS) {
    throw new MotionError('MOTION_BAD_CONTROL', `fps must be between ${MIN_OUTPUT_FPS} and ${MAX_OUTPUT_FPS}. Passed: ${String(fps)}`);
  }
}

/**
 * Resamples a track to `fps` (12..60) covering the same duration: output frame k sits at time k / fps and takes the
 * linear interpolation of the two nearest source frames (the last frame holds). Blink channels also take the
 * largest source value within half an output frame, so a blink's closure survives downsampling.
 */
export function resample(track: MotionTrack, fps: number): MotionTrack {
  checkOutputFps(fps);
  if (track.data.length !== track.frameCount * C) {
    throw new MotionError('MOTION_BAD_TRACK', `a motion track must hold frameCount * ${C} values. Passed: frameCount ${track.frameCount} with ${track.data.length} values`);
  }
  if (fps === track.fps) return { fps, frameCount: track.frameCount, data: track.data.slice() };
  const n = track.frameCount;
  const count = n === 0 ? 0 : Math.max(1, Math.round((n * fps) / track.fps));
  const data = new Float32Array(count * C);
  const src = track.data;
  for (let k = 0; k < count; k++) {
    const position = (k * track.fps) / fps;
    const i0 = Math.min(n - 1, Math.floor(position));
    const i1 = Math.min(n - 1, i0 + 1);
    const w = Math.min(1, position - i0);
    for (let c = 0; c < C; c++) data[k * C + c] = src[i0 * C + c]! * (1 - w) + src[i1 * C + c]! * w;
    if (fps < track.fps) {
      const half = (0.5 * track.fps) / fps;
      const from = Math.max(0, Math.ceil(position - half));
      const to = Math.min(n - 1, Math.floor(position + half));
      for (const c of PEAK_CHANNELS) {
        let peak = data[k * C + c]!;
        for (let i = from; i <= to; i++) peak = Math.max(peak, src[i * C + c]!);
        data[k * C + c] = peak;
      }
    }
  }
  return { fps, frameCount: count, data };
}
