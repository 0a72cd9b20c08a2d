import { describe, expect, it } from 'vitest';
import { closestFlag, editDistance } from './closest-flag.ts';

describe('closestFlag', () => {
  it('counts edits, a swap of neighbours as one', () => {
    expect(editDistance('fps', 'fps')).toBe(0);
    expect(editDistance('fsp', 'fps')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'out')).toBe(3);
  });

  it('suggests the closest known flag, or none when nothing is close', () => {
    const known = ['image', 'audio', 'out', 'fps', 'seed', 'steps', 'head-distance', 'emotion', 'emotion-intensity', 'force'];
    expect(closestFlag('fsp', known)).toBe('fps');
    expect(closestFlag('imge', known)).toBe('image');
    expect(closestFlag('head-distanse', known)).toBe('head-distance');
    expect(closestFlag('emotion-intesity', known)).toBe('emotion-intensity');
    expect(closestFlag('Seed', known)).toBe('seed');
    expect(closestFlag('colour', known)).toBeNull();
    expect(closestFlag('wat', known)).toBeNull();
  });
});
