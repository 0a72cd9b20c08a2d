/**
 * An offset that fades out: frame k after the start gets the offset times 0.5 (1 + cos(pi k / n)), so the first
 * frame keeps almost all of it, the fade starts and ends with zero speed, and from frame n on it is exactly 0.
 * Channel c fades over n = `shortest[c]` frames, or more when its offset is so large that the fade would step by
 * more than `largestStep[c]` in a frame (a cosine fade of d over n frames steps at most pi |d| / 2n).
 */
export interface Relaxation {
  /** Starts fading `offset` (one value per channel). */
  start(offset: ArrayLike<number>): void;
  /** Adds this frame's share of the offset to `frame`, in place, and moves on one frame. */
  apply(frame: Float64Array): void;
}

export function createRelaxation(shortest: readonly number[], largestStep: readonly number[]): Relaxation {
  const channels = shortest.length;
  const offset = new Float64Array(channels);
  const frames = new Float64Array(channels);
  let frame = Number.POSITIVE_INFINITY;
  return {
    start(values) {
      for (let c = 0; c < channels; c++) {
        offset[c] = values[c]!;
        frames[c] = Math.max(shortest[c]!, Math.ceil((Math.PI * Math.abs(values[c]!)) / (2 * largestStep[c]!)));
      }
      frame = 0;
    },
    apply(target) {
      frame += 1;
      for (let c = 0; c < channels; c++) {
        if (frame < frames[c]!) target[c] = target[c]! + (offset[c]! * (1 + Math.cos((Math.PI * frame) / frames[c]!))) / 2;
      }
    },
  };
}
