import type { MotionChannel } from '@portrait-farm/contracts';

export type PredictionType = 'x0' | 'eps' | 'v';
export type SolverName = 'ddim' | 'dpmpp-2m';

/** A noise schedule of models/SPEC.md, parsed. */
export type NoiseSchedule =
  | { readonly type: 'cosine'; readonly timesteps: number; readonly s: number }
  | { readonly type: 'linear'; readonly timesteps: number; readonly betaStart: number; readonly betaEnd: number };

/** One file of the pack as its manifest lists it; `path` is absolute. */
export interface PackFile {
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly license: string;
  readonly source: string;
}

export interface PackAudio {
  readonly frontend: 'oww-mel-emb-v1';
  readonly sampleRate: 16000;
  readonly featureDim: 224;
  /** Absolute path of melspectrogram.onnx. */
  readonly mel: string;
  /** Absolute path of embedding_model.onnx. */
  readonly embedding: string;
  /**
   * Absolute path of the same embedding network run over a whole mel sequence (models/audio/embedding_sequence.onnx),
   * when the pack names one: the same rows, computed once per mel frame instead of once per window.
   */
  readonly embeddingSequence: string | null;
}

export interface PackDenoiser {
  /** Absolute path of the denoiser ONNX. */
  readonly file: string;
  /** W: frames per window. */
  readonly window: number;
  /** K: context frames (the last K frames of the previous window). */
  readonly context: number;
  readonly prediction: PredictionType;
  readonly schedule: NoiseSchedule;
  readonly defaultSteps: number;
  readonly defaultSolver: SolverName;
  readonly defaultGuidance: number;
  /** Frames over which a window's start is made continuous with its context (models/SPEC.md); 0 turns it off. */
  readonly continuityFrames: number;
}

/**
 * The pack's second denoiser, trained for realtime sessions (models/SPEC.md, "Manifest"): a short hop and little
 * look-ahead. It has the signature of `denoiser` and shares its window, context, prediction, schedule, solver,
 * guidance and seam continuity; only these differ.
 */
export interface PackLiveDenoiser {
  /** Absolute path of the live denoiser ONNX. */
  readonly file: string;
  /** Motion frames a session step hands out, 1..window - lookaheadFrames. */
  readonly hopFrames: number;
  /** Frames past the hop whose audio a step waits for, 0..window - 1. */
  readonly lookaheadFrames: number;
  /** Audio past a feature row's centre that the feature stream waits for, in ms (0..1000). */
  readonly featureLookaheadMs: number;
  /** Solver steps per window, 1..schedule.timesteps. */
  readonly defaultSteps: number;
}

/** A validated model pack (models/<pack>/manifest.json), frozen, with absolute paths. */
export interface ModelPack {
  readonly dir: string;
  readonly manifestPath: string;
  readonly format: 'portrait-farm-pack/1';
  readonly name: string;
  readonly version: string;
  readonly fps: number;
  readonly channels: readonly MotionChannel[];
  /** Per-channel mean (a fresh copy on every read). */
  readonly channelMean: Float32Array;
  /** Per-channel std, all > 0 (a fresh copy on every read). */
  readonly channelStd: Float32Array;
  readonly audio: PackAudio;
  readonly denoiser: PackDenoiser;
  /** The denoiser for realtime sessions, when the pack has one. */
  readonly liveDenoiser: PackLiveDenoiser | null;
  /** The renderer block as written (at least `type`). */
  readonly renderer: Readonly<Record<string, unknown>> & { readonly type: string };
  /** Absolute paths of the face models, when the manifest names them. */
  readonly face: Readonly<Record<string, string>> | null;
  /** Every listed file, keyed by its path relative to the manifest as written. */
  readonly files: Readonly<Record<string, PackFile>>;
}
