import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeAudio } from '@portrait-farm/media';
import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from './mouth-metrics.ts';
import { median, thresholdsForRest, writeRestAudio } from './rest-calibration.ts';

describe('rest calibration', () => {
  it('raises the closed threshold over a portrait whose sealed mouth reads open, never lowers it', () => {
    expect(thresholdsForRest(0.055)).toEqual(DEFAULT_THRESHOLDS);
    expect(thresholdsForRest(0.086).closed).toBeCloseTo(0.111, 6);
    expect(thresholdsForRest(0.086).open).toBe(DEFAULT_THRESHOLDS.open);
  });

  it('writes a silent 16 kHz mono PCM16 WAV that the media decoder reads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rest-'));
    try {
      const audio = await decodeAudio(writeRestAudio(dir, 1));
      expect(audio.sampleRate).toBe(16000);
      expect(audio.samples.length).toBe(16000);
      expect(Math.max(...audio.samples.map(Math.abs))).toBeLessThan(1e-3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes the median', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});
