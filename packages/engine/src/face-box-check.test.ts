import { describe, expect, it } from 'vitest';
import { faceBoxWarning, WARNING_PREFIX } from './face-box-check.ts';

describe('faceBoxWarning', () => {
  const box = { x: 10, y: 20, width: 200, height: 240 };

  it('is silent when the mesh model sees a face in the box', () => {
    expect(faceBoxWarning(box, 0.999)).toBeNull();
    expect(faceBoxWarning(box, 0.5)).toBeNull();
  });

  it('warns, naming the box and the presence, when it does not', () => {
    const warning = faceBoxWarning(box, 0.123);
    expect(warning?.startsWith(WARNING_PREFIX)).toBe(true);
    expect(warning).toBe(
      'warning: no clear face in the face box 10,20,200,240 (face presence 0.12, faces score above 0.5); ' +
        'the render animates what the box holds. Check the box: x,y,width,height in pixels of the portrait.',
    );
  });
});
