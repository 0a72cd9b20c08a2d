import { CHANNEL, MOTION_CHANNEL_COUNT as C, RENDER_OPTION_RANGES, SEALED_GAP, lipGap, type MotionTrack } from '@portrait-farm/contracts';
import { MotionError } from '../errors.ts';

export const MIN_OUTPUT_FPS = RENDER_OPTION_RANGES.fps.min;
export const MAX_OUTPUT_FPS = RENDER_OPTION_RANGES.fps.max;
const PEAK_CHANNELS = [CHANNEL.blink_l, CHANNEL.blink_r];
const ARTICULATORS = [
  CHANNEL.jaw_open, CHANNEL.lips_part, CHANNEL.mouth_wide, CHANNEL.mouth_round,
  CHANNEL.upper_lip_raise, CHANNEL.lower_lip_tuck, CHANNEL.lips_press,
];

/** Checks an output frame rate: a number in [12, 60]. */
export function checkOutputFps(fps: number): void {
  if (typeof fps !== 'number' || !Number.isFinite(fps) || fps < MIN_OUTPUT_FPS || fps > MAX_OUTPUT_FPS) {
    throw new MotionError('MOTION_BAD_CONTROL', `fps must be between ${MIN_OUTPUT_FPS} and ${MAX_OUTPUT_FPS}. Passed: ${String(fps)}`);
  }
}

/**
 * Resamples a track to `fps` (12..60) covering the same duration: output frame k sits at time k / fps and takes the
 * linear interpolation of the two nearest source frames (the last frame holds). Blink channels also take the
 * largest source value within half an output frame, so a blink's closure survives downsampling. A lip closure
 * survives any rate: where a source frame within half an output frame (at least half a source frame) seals the
 * lips, the output frame takes the mouth of the most closed such frame, so a one-frame p/b/m at 25 fps shows on at
 * least one output frame at 12 fps, and on every output frame within its 40 ms at 60 fps.
 */
export function resample(track: MotionTrack, fps: number): MotionTrack {
  checkOutputFps(fps);
  if (track.data.length !== track.frameCount * C) {
    throw new MotionError('MOTION_BAD_TRACK', `a motion track must hold frameCount * ${C} values. Passed: frameCount ${track.frameCount} with ${track.data.length} values`);
  }
  if (fps === track.fps) return { fps, frameCount: track.frameCount, data: track.data.slice() };
  const n = track.frameCount;
  const count = n === 0 ? 0 : Math.max(1, Math.round((n * fps) / track.fps));
  const data = resampleRange({ fps: track.fps, frameCount: n, firstFrame: 0, data: track.data }, fps, 0, count);
  return { fps, frameCount: count, data };
}

/** Some consecutive frames of a track: rows of frames [firstFrame, firstFrame + data.length / 20) of a track of `frameCount` frames. */
export interface KnownMotion {
  fps: number;
  /** Frames in the whole track. */
  frameCount: number;
  firstFrame: number;
  data: Float32Array;
}

/**
 * Output frames [start, end) of `resample(track, fps)` computed from part of the track, equal to them bit for bit
 * (the frame-rate-matching case included). Throws when a frame they read is not in `known`.
 */
export function resampleRange(known: KnownMotion, fps: number, start: number, end: number): Float32Array {
  checkOutputFps(fps);
  const n = known.frameCount;
  const src = known.data;
  const knownEnd = known.firstFrame + src.length / C;
  const row = (i: number): number => {
    if (i < known.firstFrame || i >= knownEnd) {
      throw new MotionError('MOTION_BAD_TRACK', `resampling needs motion frame ${i}, but only frames ${known.firstFrame}..${knownEnd - 1} are known`);
    }
    return (i - known.firstFrame) * C;
  };
  const data = new Float32Array((end - start) * C);
  for (let k = start; k < end; k++) {
    const out = (k - start) * C;
    if (fps === known.fps) {
      const r = row(Math.min(n - 1, k));
      for (let c = 0; c < C; c++) data[out + c] = src[r + c]!;
      continue;
    }
    const position = (k * known.fps) / fps;
    const i0 = Math.min(n - 1, Math.floor(position));
    const i1 = Math.min(n - 1, i0 + 1);
    const w = Math.min(1, position - i0);
    const r0 = row(i0);
    const r1 = row(i1);
    for (let c = 0; c < C; c++) data[out + c] = src[r0 + c]! * (1 - w) + src[r1 + c]! * w;
    const half = Math.max(0.5, (0.5 * known.fps) / fps);
    const from = Math.max(0, Math.ceil(position - half));
    const to = Math.min(n - 1, Math.floor(position + half));
    if (fps < known.fps) {
      for (const c of PEAK_CHANNELS) {
        let peak = data[out + c]!;
        for (let i = from; i <= to; i++) peak = Math.max(peak, src[row(i) + c]!);
        data[out + c] = peak;
      }
    }
    keepLipClosure(src, row, from, to, data, out);
  }
  return data;
}

/** Gives output frame `out` the mouth of the most closed source frame in [from, to] when that frame seals the lips
 * and the interpolated frame does not close as far. */
function keepLipClosure(src: Float32Array, row: (i: number) => number, from: number, to: number, data: Float32Array, out: number): void {
  let best = -1;
  let bestGap = Math.min(SEALED_GAP, lipGap(data, out));
  for (let i = from; i <= to; i++) {
    const gap = lipGap(src, row(i));
    if (gap <= bestGap) {
      best = i;
      bestGap = gap;
    }
  }
  if (best < 0) return;
  const r = row(best);
  for (const c of ARTICULATORS) data[out + c] = src[r + c]!;
}
