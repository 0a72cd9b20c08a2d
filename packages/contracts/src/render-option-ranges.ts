/** Numeric ranges and defaults, the values the render option schemas (render-option-schema.ts) are built from. */
export const RENDER_OPTION_RANGES = Object.freeze({
  fps: { min: 12, max: 60, default: 25 },
  seed: { min: 0, max: 2 ** 32 - 1, default: 0 },
  steps: { min: 1, max: 100 },
  guidance: { min: 0, max: 20 },
  gaze: { min: -1, max: 1 },
  headDistance: { min: -0.5, max: 0.5, default: 0 },
  emotionIntensity: { min: 0, max: 1, default: 1 },
  motionIntensity: { min: 0, max: 2, default: 1 },
  blinkRate: { min: 0, max: 60 },
  faceIndex: { min: 0, max: 63, default: 0 },
  faceBoxOrigin: { min: 0, max: 100_000 },
  faceBoxSide: { min: 8, max: 100_000 },
  renderThreads: { min: 1, max: 32, default: 2 },
} as const);
