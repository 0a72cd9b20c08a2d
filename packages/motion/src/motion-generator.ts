import { createAudioFrontEnd } from '@portrait-farm/audio-features';
import { MOTION_CHANNEL_COUNT, RENDER_OPTION_RANGES, type MotionTrack } from '@portrait-farm/contracts';
import type { ModelPack } from '@portrait-farm/model-pack';
import { createModelSession, type ExecutionProvider, type ModelSession } from '@portrait-farm/model-runtime';
import { continuityRamp } from './continuity.ts';
import { MotionError } from './errors.ts';
import type { WindowConditioning } from './guidance.ts';
import { checkSeed, windowNoise } from './rng.ts';
import { alphaBarTable, samplerTimesteps } from './schedule.ts';
import { SOLVERS, type Solver } from './solvers.ts';
import { sampleWindow, type SamplerSettings } from './window-sampler.ts';
import { checkFeatures, featureSpan, windowAudio, windowCount, type FeatureMatrix } from './windows.ts';

/** Options of {@link createMotionGenerator}; unset ones take the pack's defaults. */
export interface MotionGeneratorOptions {
  /** Solver steps. @defaultValue the pack's denoiser.default_steps */
  steps?: number;
  /** @defaultValue the pack's denoiser.default_solver */
  solver?: Solver;
  /** Classifier-free guidance scale on audio (1 = conditional only, 0 = unconditional). @defaultValue the pack's default_guidance */
  guidance?: number;
  /** Seed of the initial noise; window i draws from stream (seed, i). @defaultValue 0 */
  seed?: number;
  /** Execution providers when the generator opens the denoiser itself. @defaultValue ['cpu'] */
  providers?: ExecutionProvider[];
  /** Feature row padding windows past the audio. @defaultValue the front-end's silence feature, computed from the pack's audio models */
  silenceFeature?: Float32Array;
}

interface ResolvedOptions {
  steps: number;
  solver: Solver;
  guidance: number;
  seed: number;
  silence: Float32Array;
}

/** One window's or segment's result: denormalised motion (frames * 20) and the normalised context tail (K * 20). */
export interface WindowMotion {
  motion: Float32Array;
  tail: Float32Array;
}

export interface SegmentRequest {
  firstWindow: number;
  windowCount: number;
  features: FeatureMatrix;
  /** The tail of window firstWindow - 1; null only when firstWindow is 0. */
  tail: Float32Array | null;
}

export interface MotionGenerator {
  readonly steps: number;
  readonly solver: Solver;
  readonly guidance: number;
  readonly seed: number;
  /** Window `index`; `noise` (W * C values) replaces the window's own initial noise (windowNoise(seed, index)). */
  generateWindow(index: number, features: FeatureMatrix, prevTail: Float32Array | null, noise?: Float32Array): Promise<WindowMotion>;
  generateSegment(request: SegmentRequest): Promise<WindowMotion>;
  /** Every window of the clip in order, trimmed to its frame count, at the pack's fps (the matrix must hold every row). */
  generateAll(features: FeatureMatrix): Promise<MotionTrack>;
  close(): Promise<void>;
}

async function resolveOptions(pack: ModelPack, options: MotionGeneratorOptions): Promise<ResolvedOptions> {
  const d = pack.denoiser;
  const steps = options.steps ?? d.defaultSteps;
  samplerTimesteps(steps, d.schedule.timesteps);
  const solver = options.solver ?? d.defaultSolver;
  if (!(SOLVERS as readonly string[]).includes(solver)) {
    throw new MotionError('MOTION_BAD_OPTION', `solver must be one of ${SOLVERS.join(', ')}. Passed: ${solver}`);
  }
  const guidance = options.guidance ?? d.defaultGuidance;
  const { min, max } = RENDER_OPTION_RANGES.guidance;
  if (!Number.isFinite(guidance) || guidance < min || guidance > max) {
    throw new MotionError('MOTION_BAD_OPTION', `guidance must be between ${min} and ${max}. Passed: ${guidance}`);
  }
  const seed = options.seed ?? 0;
  checkSeed(seed);
  let silence = options.silenceFeature;
  if (silence === undefined) {
    const frontEnd = await createAudioFrontEnd({ melModel: pack.audio.mel, embeddingModel: pack.audio.embedding, providers: ['cpu'] });
    try {
      silence = await frontEnd.silenceFeature();
    } finally {
      await frontEnd.close();
    }
  }
  if (silence.length !== pack.audio.featureDim) {
    throw new MotionError('MOTION_BAD_OPTION', `silenceFeature must have ${pack.audio.featureDim} values. Passed: ${silence.length}`);
  }
  return { steps, solver, guidance, seed, silence: silence.slice() };
}

/**
 * A motion generator for a pack: the denoising loop over windows with the context relay of models/SPEC.md. Every
 * denoiser call is one batch of 2 (cond, uncond), so a window's result depends only on the seed, its index, its
 * audio and its context, never on how windows are grouped or which process runs them.
 */
export async function createMotionGenerator(pack: ModelPack, session: ModelSession | null = null, options: MotionGeneratorOptions = {}): Promise<MotionGenerator> {
  const resolved = await resolveOptions(pack, options);
  const ownsSession = session === null;
  const denoiser = session ?? (await createModelSession(pack.denoiser.file, { providers: options.providers ?? ['cpu'] }));
  const { window: w, context: k, prediction } = pack.denoiser;
  const c = MOTION_CHANNEL_COUNT;
  const featureDim = pack.audio.featureDim;
  const alphaBar = alphaBarTable(pack.denoiser.schedule);
  const mean = pack.channelMean;
  const std = pack.channelStd;
  const settings: SamplerSettings = {
    session: denoiser,
    alphaBar,
    prediction,
    guidance: resolved.guidance,
    solver: resolved.solver,
    steps: resolved.steps,
    continuity: continuityRamp(pack.denoiser.continuityFrames),
  };
  let closed = false;

  const checkTail = (index: number, tail: Float32Array | null): void => {
    if (!Number.isInteger(index) || index < 0) throw new MotionError('MOTION_BAD_WINDOW', `window index must be a non-negative integer. Passed: ${index}`);
    if (index === 0 && tail !== null) throw new MotionError('MOTION_BAD_WINDOW', 'window 0 has no context: its tail must be null. Passed: a tail');
    if (index > 0 && tail === null) {
      throw new MotionError('MOTION_BAD_WINDOW', `window ${index} needs the tail of window ${index - 1} (its last ${k} normalised frames). Passed: null`);
    }
    if (tail !== null && tail.length !== k * c) {
      throw new MotionError('MOTION_BAD_WINDOW', `a tail must hold ${k} frames of ${c} channels (${k * c} values). Passed: ${tail.length} values`);
    }
  };

  const generateWindow = async (index: number, features: FeatureMatrix, prevTail: Float32Array | null, noise?: Float32Array): Promise<WindowMotion> => {
    if (closed) throw new MotionError('MOTION_CLOSED', 'motion generator is closed');
    checkFeatures(features, featureDim);
    checkTail(index, prevTail);
    const conditioning: WindowConditioning = {
      audio: windowAudio(features, index, w, resolved.silence),
      prevMotion: prevTail ?? new Float32Array(k * c),
      prevKeep: prevTail === null ? 0 : 1,
      window: w,
      context: k,
      channels: c,
      featureDim,
    };
    if (noise !== undefined && noise.length !== w * c) throw new MotionError('MOTION_BAD_WINDOW', `noise must hold ${w * c} values (W * C). Passed: ${noise.length}`);
    const initial = Float64Array.from(noise ?? windowNoise(resolved.seed, index, w * c));
    const z = Float32Array.from(await sampleWindow(settings, conditioning, initial));
    const motion = new Float32Array(w * c);
    for (let i = 0; i < motion.length; i++) motion[i] = z[i]! * std[i % c]! + mean[i % c]!;
    return { motion, tail: z.slice((w - k) * c) };
  };

  const generateSegment = async (request: SegmentRequest): Promise<WindowMotion> => {
    if (!Number.isInteger(request.windowCount) || request.windowCount < 1) {
      throw new MotionError('MOTION_BAD_WINDOW', `windowCount must be a positive integer. Passed: ${request.windowCount}`);
    }
    const motion = new Float32Array(request.windowCount * w * c);
    let tail = request.tail;
    for (let j = 0; j < request.windowCount; j++) {
      const result = await generateWindow(request.firstWindow + j, request.features, tail);
      motion.set(result.motion, j * w * c);
      tail = result.tail;
    }
    return { motion, tail: tail! };
  };

  return {
    steps: resolved.steps,
    solver: resolved.solver,
    guidance: resolved.guidance,
    seed: resolved.seed,
    generateWindow,
    generateSegment,
    async generateAll(features) {
      checkFeatures(features, featureDim);
      const frames = featureSpan(features).clipFrames;
      const count = windowCount(frames, w);
      if (count === 0) return { fps: pack.fps, frameCount: 0, data: new Float32Array(0) };
      const { motion } = await generateSegment({ firstWindow: 0, windowCount: count, features, tail: null });
      return { fps: pack.fps, frameCount: frames, data: motion.slice(0, frames * c) };
    },
    async close() {
      if (closed) return;
      closed = true;
      if (ownsSession) await denoiser.close();
    },
  };
}
