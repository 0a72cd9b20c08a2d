import { CHANNEL, MOTION_CHANNEL_COUNT as C, type MotionChannel } from '@portrait-farm/contracts';

/** Expression state kept from the portrait: the model's deviation from the pack mean is added to the portrait's own value. */
const RELATIVE: readonly MotionChannel[] = ['smile', 'brow_raise', 'brow_furrow', 'gaze_x', 'gaze_y'];
const BLINKS: readonly MotionChannel[] = ['blink_l', 'blink_r'];

function clamp(value: number, min: number, max: number): number {
  return value < min ? min : value > max ? max : value;
}

/**
 * Fits generated motion to one portrait. Articulation (jaw, lips) stays absolute, so a p/b/m seals the lips
 * whatever the portrait shows; expression state does not: a smiling portrait keeps its smile, brows and gaze,
 * and moves about them as the model moves about the pack's mean (while the lips press, as on p/b/m, the smile
 * gives way to the generated one, so a broad smile does not hold the lips apart); blinks close from the portrait's
 * own eye opening. Head channels are already relative to the portrait. In place, frame by frame.
 */
export function retargetToPortrait(data: Float32Array, neutral: ArrayLike<number>, packMean: ArrayLike<number>): Float32Array {
  const smile = CHANNEL.smile;
  for (let row = 0; row < data.length; row += C) {
    const generatedSmile = data[row + smile]!;
    for (const name of RELATIVE) {
      const c = CHANNEL[name];
      data[row + c] = clamp(neutral[c]! + data[row + c]! - packMean[c]!, name === 'brow_furrow' ? 0 : -1, 1);
    }
    const press = clamp(data[row + CHANNEL.lips_press]!, 0, 1);
    data[row + smile] = data[row + smile]! + (generatedSmile - data[row + smile]!) * press;
    for (const name of BLINKS) {
      const c = CHANNEL[name];
      data[row + c] = neutral[c]! + (1 - neutral[c]!) * clamp(data[row + c]!, 0, 1);
    }
  }
  return data;
}
