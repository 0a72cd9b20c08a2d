export type Emotion = 'neutral' | 'happy' | 'sad' | 'angry' | 'surprised';
export type Solver = 'ddim' | 'dpmpp-2m';

/** VASA-1 style controls acting on the motion channels; ranges in RENDER_OPTION_RANGES. */
export interface RenderControls {
  /** Where the eyes look: offsets in [-1, 1] (1 = 30 degrees), or 'camera'. @defaultValue the model's gaze */
  gaze?: { x: number; y: number } | 'camera';
  /** Added to head_scale (natural log): positive = closer. @defaultValue 0 */
  headDistance?: number;
  /** @defaultValue 'neutral' */
  emotion?: Emotion;
  /** 0..1. @defaultValue 1 */
  emotionIntensity?: number;
  /** Scales head motion about its mean; 0 = still head. @defaultValue 1 */
  motionIntensity?: number;
  /** Blinks per minute; replaces the model's blinks. @defaultValue the model's blinks */
  blinkRate?: number;
}
