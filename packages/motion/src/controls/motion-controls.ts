import { RENDER_OPTION_RANGES, type RenderControls } from '@portrait-farm/contracts';
import { MotionError } from '../errors.ts';
import { checkSeed } from '../rng.ts';
import { EMOTIONS, type Emotion } from './emotion.ts';

/** User controls applied to generated (denormalised) motion, in the manner of VASA-1. All optional. */
export interface MotionControls extends RenderControls {
  /**
   * Seed of the procedural blinks.
   * @defaultValue 0
   */
  seed?: number;
}

/** Controls with every field decided. */
export interface ResolvedControls {
  gaze: { x: number; y: number } | 'camera' | null;
  headDistance: number;
  emotion: Emotion;
  emotionIntensity: number;
  motionIntensity: number;
  blinkRate: number | null;
  seed: number;
}

function range(name: string, value: number | undefined, fallback: number, min: number, max: number, unit = ''): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new MotionError('MOTION_BAD_CONTROL', `${name} must be between ${min} and ${max}${unit}. Passed: ${String(value)}`);
  }
  return value;
}

function resolveGaze(gaze: MotionControls['gaze']): ResolvedControls['gaze'] {
  if (gaze === undefined) return null;
  if (gaze === 'camera') return gaze;
  const ok = typeof gaze === 'object' && gaze !== null && [gaze.x, gaze.y].every((v) => typeof v === 'number' && Number.isFinite(v) && v >= -1 && v <= 1);
  if (!ok) {
    throw new MotionError('MOTION_BAD_CONTROL', `gaze must be "camera" or {x, y} with x and y between -1 and 1. Passed: ${JSON.stringify(gaze)}`);
  }
  return { x: gaze.x, y: gaze.y };
}

/** Validates controls once and fills in the defaults. */
export function resolveControls(controls: MotionControls = {}): ResolvedControls {
  const emotion = controls.emotion ?? 'neutral';
  if (!(EMOTIONS as readonly string[]).includes(emotion)) {
    throw new MotionError('MOTION_BAD_CONTROL', `emotion must be one of ${EMOTIONS.join(', ')}. Passed: ${String(emotion)}`);
  }
  const seed = controls.seed ?? 0;
  try {
    checkSeed(seed);
  } catch {
    throw new MotionError('MOTION_BAD_CONTROL', `seed must be an integer between 0 and ${Number.MAX_SAFE_INTEGER}. Passed: ${seed}`);
  }
  return {
    gaze: resolveGaze(controls.gaze),
    headDistance: range('headDistance', controls.headDistance, RENDER_OPTION_RANGES.headDistance.default, RENDER_OPTION_RANGES.headDistance.min, RENDER_OPTION_RANGES.headDistance.max),
    emotion,
    emotionIntensity: range('emotionIntensity', controls.emotionIntensity, RENDER_OPTION_RANGES.emotionIntensity.default, RENDER_OPTION_RANGES.emotionIntensity.min, RENDER_OPTION_RANGES.emotionIntensity.max),
    motionIntensity: range('motionIntensity', controls.motionIntensity, RENDER_OPTION_RANGES.motionIntensity.default, RENDER_OPTION_RANGES.motionIntensity.min, RENDER_OPTION_RANGES.motionIntensity.max),
    blinkRate: controls.blinkRate === undefined ? null : range('blinkRate', controls.blinkRate, 0, RENDER_OPTION_RANGES.blinkRate.min, RENDER_OPTION_RANGES.blinkRate.max, ' blinks per minute'),
    seed,
  };
}
