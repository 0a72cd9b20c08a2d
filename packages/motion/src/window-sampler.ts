import type { PredictionType } from '@portrait-farm/model-pack';
import type { ModelSession } from '@portrait-farm/model-runtime';
import { applyContinuity } from './continuity.ts';
import { MotionError } from './errors.ts';
import { guidanceFeeds, guidedX0, type WindowConditioning } from './guidance.ts';
import { sample, type Denoise, type Solver } from './solvers.ts';

/** Everything one window's denoising loop needs besides its conditioning and noise. */
export interface SamplerSettings {
  session: Pick<ModelSession, 'run'>;
  alphaBar: Float64Array;
  prediction: PredictionType;
  guidance: number;
  solver: Solver;
  steps: number;
  /** Seam continuity ramp ({@link continuityRamp} of the pack's continuity_frames); empty turns it off. */
  continuity: Float64Array;
}

/**
 * Denoises one window from its initial noise (normalised, W*C) to clean normalised motion. Every denoiser call is
 * one batch of 2 rows (cond, uncond), whatever the guidance scale; a window with context then gets seam continuity
 * on its first frames.
 */
export async function sampleWindow(settings: SamplerSettings, conditioning: WindowConditioning, noise: Float64Array): Promise<Float64Array> {
  const size = conditioning.window * conditioning.channels;
  const denoise: Denoise = async (x, t) => {
    const outputs = await settings.session.run(guidanceFeeds(x, t, conditioning));
    const pred = outputs['prediction'];
    if (pred === undefined || !(pred.data instanceof Float32Array) || pred.data.length !== 2 * size) {
      throw new MotionError(
        'MOTION_DENOISER_FAILED',
        `denoiser output "prediction" must be float32 [2, ${conditioning.window}, ${conditioning.channels}]. Got: ${pred === undefined ? 'no such output' : `${pred.data.length} values`}`,
      );
    }
    return guidedX0(pred.data, x, settings.alphaBar[t]!, settings.prediction, settings.guidance);
  };
  const motion = await sample(settings.solver, denoise, noise, settings.alphaBar, settings.steps);
  if (conditioning.prevKeep === 1) applyContinuity(motion, conditioning.prevMotion, conditioning.channels, settings.continuity);
  return motion;
}
