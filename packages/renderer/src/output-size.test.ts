import { describe, expect, it } from 'vitest';
import { RendererError } from './errors.ts';
import { fitFull } from './output-size.ts';

describe('fitFull', () => {
  it('keeps small even sizes, caps the long side at 1920 and makes both sides even', () => {
    expect(fitFull(512, 512)).toEqual({ width: 512, height: 512 });
    expect(fitFull(1280, 721)).toEqual({ width: 1280, height: 720 });
    expect(fitFull(3840, 2160)).toEqual({ width: 1920, height: 1080 });
    expect(fitFull(1001, 4000)).toEqual({ width: 480, height: 1920 });
  });

  it('rejects degenerate sizes, naming the value', () => {
    expect(() => fitFull(1, 100)).toThrow(RendererError);
    expect(() => fitFull(Number.NaN, 100)).toThrow(/got NaNx100/);
  });
});
