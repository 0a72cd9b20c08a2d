/**
 * Allowed ranges of the render options, the one table that the CLI, the HTTP API, the engine and the motion controls
 * check against (each names the option, the range and the value it was given).
 */
export const RENDER_OPTION_RANGES = Object.freeze({
  /** Output frames per second. */
  fps: { min: 12, max: 60, default: 25 },
  seed: { min: 0, max: 2 ** 32 - 1, default: 0 },
  /** Solver steps. */
  steps: { min: 1, max: 100 },
  /** Classifier-free guidance scale on audio. */
  guidance: { min: 0, max: 20 },
  /** Gaze offsets, each axis (1 = 30 degrees). */
  gaze: { min: -1, max: 1 },
  /** Offset added to head_scale (natural log): + = closer. */
  headDistance: { min: -0.5, max: 0.5, default: 0 },
  emotionIntensity: { min: 0, max: 1, default: 1 },
  /** Head motion scale about the pack's mean pose. */
  motionIntensity: { min: 0, max: 2, default: 1 },
  /** Blinks per minute. */
  blinkRate: { min: 0, max: 60 },
  /** Which face, counted from the largest. */
  faceIndex: { min: 0, max: 63, default: 0 },
  /** Threads rendering frames; the engine's default is 2, or 1 on a one-core machine. */
  renderThreads: { min: 1, max: 32, default: 2 },
} as const);
