/**
 * The visible "AI-GENERATED" label (job option `label`, mandatory with PORTRAIT_FARM_REQUIRE_LABEL): white capitals
 * on a dark box in the frame's bottom-right corner, drawn into each RGB24 frame before it is encoded. A 5x7 bitmap
 * font whose dot is 1/160 of the frame's shorter side (at least 2 pixels).
 */

export const AI_LABEL_TEXT = 'AI-GENERATED';

const GLYPHS: Readonly<Record<string, readonly string[]>> = {
  A: ['01110', '10001', '10001', '11111', '10001', '10001', '10001'],
  I: ['11111', '00100', '00100', '00100', '00100', '00100', '11111'],
  '-': ['00000', '00000', '00000', '11111', '00000', '00000', '00000'],
  G: ['01110', '10001', '10000', '10111', '10001', '10001', '01111'],
  E: ['11111', '10000', '10000', '11110', '10000', '10000', '11111'],
  N: ['10001', '11001', '10101', '10011', '10001', '10001', '10001'],
  R: ['11110', '10001', '10001', '11110', '10100', '10010', '10001'],
  T: ['11111', '00100', '00100', '00100', '00100', '00100', '00100'],
  D: ['11110', '10001', '10001', '10001', '10001', '10001', '11110'],
};

/** Where the label lies in a frame: its box (x, y, width, height) and the size of one font dot. */
export interface LabelLayout {
  x: number;
  y: number;
  width: number;
  height: number;
  dot: number;
}

/** The label's box in a width x height frame. */
export function labelLayout(width: number, height: number): LabelLayout {
  const dot = Math.max(2, Math.round(Math.min(width, height) / 160));
  const pad = dot * 2;
  const textWidth = AI_LABEL_TEXT.length * 6 * dot - dot;
  const boxWidth = Math.min(width, textWidth + 2 * pad);
  const boxHeight = Math.min(height, 7 * dot + 2 * pad);
  const margin = dot * 3;
  return { x: Math.max(0, width - boxWidth - margin), y: Math.max(0, height - boxHeight - margin), width: boxWidth, height: boxHeight, dot };
}

/** Draws the label into an RGB24 frame in place. */
export function drawAiLabel(frame: Uint8Array, width: number, height: number): void {
  const box = labelLayout(width, height);
  for (let y = box.y; y < box.y + box.height; y++) {
    for (let x = box.x; x < box.x + box.width; x++) {
      const i = (y * width + x) * 3;
      frame[i] = frame[i]! >> 2;
      frame[i + 1] = frame[i + 1]! >> 2;
      frame[i + 2] = frame[i + 2]! >> 2;
    }
  }
  const pad = box.dot * 2;
  for (let c = 0; c < AI_LABEL_TEXT.length; c++) {
    const glyph = GLYPHS[AI_LABEL_TEXT[c]!]!;
    const left = box.x + pad + c * 6 * box.dot;
    for (let row = 0; row < 7; row++) {
      for (let col = 0; col < 5; col++) {
        if (glyph[row]![col] !== '1') continue;
        for (let dy = 0; dy < box.dot; dy++) {
          const y = box.y + pad + row * box.dot + dy;
          if (y >= height) continue;
          for (let dx = 0; dx < box.dot; dx++) {
            const x = left + col * box.dot + dx;
            if (x >= width) continue;
            frame.fill(255, (y * width + x) * 3, (y * width + x) * 3 + 3);
          }
        }
      }
    }
  }
}
