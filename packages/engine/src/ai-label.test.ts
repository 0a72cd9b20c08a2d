import { describe, expect, it } from 'vitest';
import { drawAiLabel, labelLayout } from './ai-label.ts';

describe('the visible AI-GENERATED label', () => {
  it('is drawn in the bottom-right corner only: white text on a darkened box', () => {
    const [width, height] = [640, 360];
    const frame = new Uint8Array(width * height * 3).fill(128);
    drawAiLabel(frame, width, height);
    const box = labelLayout(width, height);
    expect(box.x + box.width).toBeLessThanOrEqual(width);
    expect(box.y + box.height).toBeLessThanOrEqual(height);
    expect(box.x).toBeGreaterThan(width / 2);
    expect(box.y).toBeGreaterThan(height / 2);
    let white = 0;
    let dark = 0;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const v = frame[(y * width + x) * 3]!;
        const inside = x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height;
        if (!inside) expect(v).toBe(128);
        else if (v === 255) white++;
        else if (v === 32) dark++;
      }
    }
    expect(white).toBeGreaterThan(100);
    expect(dark).toBeGreaterThan(white);
  });

  it('fits small frames', () => {
    const frame = new Uint8Array(64 * 48 * 3);
    expect(() => drawAiLabel(frame, 64, 48)).not.toThrow();
  });
});
