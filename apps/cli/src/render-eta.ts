import type { RenderProgress } from './engine-contract.ts';

/**
 * Relative cost of the stages from the first frame on, as fractions of their sum: render (with the overlapping chunk
 * encodes and the later segments' motion) takes most of a render, encode is the final join. The motion stage before
 * it is the first segment's motion only, too short and too unlike the rest to give a rate. Estimated, not measured per
 * provider; they only need to be roughly right, since once the render stage runs only its own rate and the encode
 * share count.
 */
export const STAGE_WEIGHTS: Readonly<Record<string, number>> = Object.freeze({ render: 0.96, encode: 0.04 });
const ORDER = ['render', 'encode'];

/** Estimates the seconds left in the whole render from the progress events and a clock. */
export interface RenderEta {
  /** Seconds left in the whole render after `progress`, or null while there is no rate yet. */
  update(progress: RenderProgress): number | null;
}

/**
 * The whole render's ETA: the current weighted stage's elapsed time over its fraction done gives the seconds one unit
 * of weight takes; the rest of this stage and the weights of the stages after it are left. Stages before render
 * (decode, audio, face, motion) have no rate and give null; after the last weighted stage the last rate is kept.
 */
export function createRenderEta(now: () => number): RenderEta {
  let stage: string | null = null;
  let stageStartedAt = 0;
  let secondsPerWeight: number | null = null;
  return {
    update(p) {
      const t = now();
      if (p.stage !== stage) {
        stage = p.stage;
        stageStartedAt = t;
      }
      if (p.stage === 'done') return 0;
      const index = ORDER.indexOf(p.stage);
      if (index < 0) return null;
      const weight = STAGE_WEIGHTS[p.stage]!;
      const fraction = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
      const elapsed = (t - stageStartedAt) / 1000;
      if (fraction > 0 && elapsed > 0) secondsPerWeight = elapsed / (weight * fraction);
      if (secondsPerWeight === null) return null;
      const later = ORDER.slice(index + 1).reduce((sum, name) => sum + STAGE_WEIGHTS[name]!, 0);
      return secondsPerWeight * (weight * (1 - fraction) + later);
    },
  };
}
