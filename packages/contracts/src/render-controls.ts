export type Emotion = 'neutral' | 'happy' | 'sad' | 'angry' | 'surprised';
export type Solver = 'ddim' | 'dpmpp-2m';

/** VASA-1 style controls acting on the motion channels; ranges in RENDER_OPTION_RANGES. All optional. */
export interface RenderControls {
  /**
   * Where the eyes look: `{x, y}` in gaze units (1 = 30 degrees; + = image right / down, each in [-1, 1]), or
   * `'camera'`: at the viewer, the eyes partly compensating head yaw and pitch.
   * @defaultValue the model's gaze
   */
  gaze?: { x: number; y: number } | 'camera';
  /**
   * Offset added to head_scale (natural log of scale): + = closer / larger, in [-0.5, 0.5].
   * @defaultValue 0
   */
  headDistance?: number;
  /** @defaultValue 'neutral' */
  emotion?: Emotion;
  /**
   * Strength of the emotion, in [0, 1].
   * @defaultValue 1
   */
  emotionIntensity?: number;
  /**
   * Head motion scaled about the pack's mean pose: 0 = still, 1 = as generated, 2 = twice as much. In [0, 2].
   * @defaultValue 1
   */
  motionIntensity?: number;
  /**
   * Blinks per minute, in [0, 60]. When set, a procedural blink track (seeded, 100-300 ms asymmetric blinks)
   * replaces the model's blinks.
   * @defaultValue the model's blinks
   */
  blinkRate?: number;
}
