import { RNG_DOMAIN, uniformWords, unitInterval } from '../rng.ts';

/** One procedural blink: eyelid closure rising to `peak` at time `at` (seconds). */
export interface Blink {
  at: number;
  closing: number;
  opening: number;
  peak: number;
}

/**
 * Blink n of a seeded sequence at `rate` blinks per minute. Gaps are a refractory minimum plus an exponential
 * (mean gap = 60 / rate); each blink lasts 100-300 ms, a third closing and two thirds opening (lids close faster
 * than they open); one blink in seven is partial (peak 0.6-0.9). Blink n uses Philox stream (seed, n) only.
 */
function blinkParameters(seed: number, n: number, meanGap: number): { gap: number; duration: number; peak: number } {
  const [u0, u1, u2, u3] = uniformWords(seed, n, RNG_DOMAIN.blinks, 4);
  const refractory = Math.min(1, 0.4 * meanGap);
  const gap = refractory + (meanGap - refractory) * -Math.log(unitInterval(u0!));
  const duration = 0.1 + 0.2 * unitInterval(u1!);
  const peak = unitInterval(u2!) < 1 / 7 ? 0.6 + 0.3 * unitInterval(u3!) : 1;
  return { gap, duration, peak };
}

/** Blinks with their closure peak before `until` seconds, peaks snapped to frame times at `fps`. */
export function blinkSchedule(seed: number, rate: number, fps: number, until: number): Blink[] {
  if (rate <= 0) return [];
  const meanGap = 60 / rate;
  const blinks: Blink[] = [];
  let time = 0;
  for (let n = 0; ; n++) {
    const { gap, duration, peak } = blinkParameters(seed, n, meanGap);
    time += gap;
    const at = Math.round(time * fps) / fps;
    if (at >= until) return blinks;
    blinks.push({ at, closing: duration / 3, opening: (2 * duration) / 3, peak });
  }
}

/** Eyelid closure of one blink at time t (raised-cosine close, slower raised-cosine open). */
function closure(blink: Blink, t: number): number {
  const d = t - blink.at;
  if (d <= -blink.closing || d >= blink.opening) return 0;
  const phase = d < 0 ? d / blink.closing : d / blink.opening;
  return (blink.peak * (1 + Math.cos(Math.PI * phase))) / 2;
}

/**
 * Procedural blink values for frames [firstFrame, firstFrame + frameCount) at `fps`: a pure function of the seed,
 * the rate and the absolute frame, so segments rendered apart join up exactly.
 */
export function blinkTrack(seed: number, rate: number, fps: number, firstFrame: number, frameCount: number): Float32Array {
  const out = new Float32Array(frameCount);
  const blinks = blinkSchedule(seed, rate, fps, (firstFrame + frameCount) / fps + 0.5);
  for (const blink of blinks) {
    const from = Math.max(firstFrame, Math.floor((blink.at - blink.closing) * fps));
    const to = Math.min(firstFrame + frameCount - 1, Math.ceil((blink.at + blink.opening) * fps));
    for (let f = from; f <= to; f++) out[f - firstFrame] = Math.max(out[f - firstFrame]!, closure(blink, f / fps));
  }
  return out;
}
