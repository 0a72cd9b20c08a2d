import { describe, expect, it } from 'vitest';
import { ago, duration, percent } from './format.ts';

describe('how the page writes times and shares', () => {
  it('says how long ago', () => {
    const now = Date.UTC(2026, 0, 1, 12);
    const before = (seconds: number): string => new Date(now - seconds * 1000).toISOString();
    expect([0, 12, 299, 7200, 200_000].map((s) => ago(before(s), now))).toEqual(['just now', '12 s ago', '4 min ago', '2 h ago', '2 d ago']);
    expect(ago('not a time', now)).toBe('—');
  });

  it('writes durations in the unit that reads best', () => {
    expect([850, 4200, 185_000, 3_720_000].map(duration)).toEqual(['850 ms', '4.2 s', '3 min 05 s', '1 h 02 min']);
  });

  it('writes progress as a whole percentage within 0-100', () => {
    expect([0, 0.424, 1, 1.2, -0.1].map(percent)).toEqual(['0 %', '42 %', '100 %', '100 %', '0 %']);
  });
});
