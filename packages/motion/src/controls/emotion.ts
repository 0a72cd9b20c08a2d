import { EMOTIONS, type Emotion, type MotionChannel } from '@portrait-farm/contracts';

export { EMOTIONS, type Emotion };

/**
 * Offsets at intensity 1, in channel units (models/SPEC.md), scaled by the intensity and added to every frame.
 * Blink offsets act on eye openness without touching full closures: blink' = blink + offset * (1 - blink), so a
 * positive offset narrows the eyes (smiling cheeks, heavy lids) and a negative one opens them (surprise) while
 * blinks still close fully.
 * - happy: corners up, mouth wider, brows slightly up and relaxed, eyes narrowed by the cheeks;
 * - sad: corners down, inner brows up and drawn together, heavy lids, narrower mouth, head slightly lowered (3 deg);
 * - angry: brows down and drawn together, lips pressed, corners down, narrowed eyes;
 * - surprised: brows high, eyes wide open, jaw dropped a little and lips slightly rounded.
 */
export const EMOTION_OFFSETS: Readonly<Record<Emotion, Readonly<Partial<Record<MotionChannel, number>>>>> = Object.freeze({
  neutral: {},
  happy: { smile: 0.7, mouth_wide: 0.15, brow_raise: 0.1, brow_furrow: -0.2, blink_l: 0.12, blink_r: 0.12 },
  sad: { smile: -0.45, mouth_wide: -0.1, brow_raise: 0.25, brow_furrow: 0.35, blink_l: 0.15, blink_r: 0.15, head_pitch: 3 },
  angry: { smile: -0.25, mouth_wide: 0.05, lips_press: 0.25, brow_raise: -0.5, brow_furrow: 0.75, blink_l: 0.1, blink_r: 0.1 },
  surprised: { jaw_open: 0.15, mouth_round: 0.1, brow_raise: 0.75, brow_furrow: -0.3, blink_l: -0.3, blink_r: -0.3 },
});
