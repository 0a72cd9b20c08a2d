/**
 * How motion given from elsewhere (the last frames of speech) hands over to the generator's own: an offset and a
 * speed that fade out. Frame k after the start gets `offset * w(k) + speed * coast(k) * w(k)`, where
 * w(k) = 0.5 (1 + cos(pi k / n)) fades from 1 to exactly 0 at frame n with zero slope at both ends, and
 * coast(k) = T (1 - exp(-k / T)) carries the given frames' last step on and lets it die away over T frames, so the
 * motion neither jumps nor halts at the handover. Channel c fades over n = `shortest[c]` frames, or more when its
 * offset is so large that the fade would step by more than `largestStep[c]` in a frame (a cosine fade of d over n
 * frames steps at most pi |d| / 2n).
 */
export interface Relaxation {
  /** Starts fading `offset` and `speed` (per frame), one value each per channel. */
  start(offset: ArrayLike<number>, speed: ArrayLike<number>): void;
  /** Adds this frame's share to `frame`, in place, and moves on one frame. */
  apply(frame: Float64Array): void;
}

export function createRelaxation(shortest: readonly number[], largestStep: readonly number[], coastFrames: number): Relaxation {
  const channels = shortest.length;
  const offset = new Float64Array(channels);
  const speed = new Float64Array(channels);
  const frames = new Float64Array(channels);
  let frame = Number.POSITIVE_INFINITY;
  return {
    start(offsets, speeds) {
      for (let c = 0; c < channels; c++) {
        offset[c] = offsets[c]!;
        speed[c] = speeds[c]!;
        frames[c] = Math.max(shortest[c]!, Math.ceil((Math.PI * Math.abs(offsets[c]!)) / (2 * largestStep[c]!)));
      }
      frame = 0;
    },
    apply(target) {
      frame += 1;
      const coast = coastFrames * (1 - Math.exp(-frame / coastFrames));
      for (let c = 0; c < channels; c++) {
        if (frame < frames[c]!) target[c] = target[c]! + ((offset[c]! + speed[c]! * coast) * (1 + Math.cos((Math.PI * frame) / frames[c]!))) / 2;
      }
    },
  };
}
