import { describe, expect, it } from 'vitest';
import { FULL_RANGE_LAYOUT, generateAnchors, SHORT_RANGE_LAYOUT } from './anchors.ts';
import { hardNms, intersectionOverUnion, weightedNms, type Detection } from './face-detector.ts';

const detection = (x: number, score: number): Detection => ({
  box: { x, y: 0, width: 10, height: 10 },
  score,
  keypoints: [[x, 0]],
});

describe('detector anchors', () => {
  it('match the output sizes of both BlazeFace models', () => {
    const short = generateAnchors(SHORT_RANGE_LAYOUT);
    expect(short).toHaveLength(896);
    expect(short[0]).toEqual({ x: 0.5 / 16, y: 0.5 / 16 });
    expect(short[512]).toEqual({ x: 0.5 / 8, y: 0.5 / 8 });
    const full = generateAnchors(FULL_RANGE_LAYOUT);
    expect(full).toHaveLength(2304);
    expect(full[2303]).toEqual({ x: 47.5 / 48, y: 47.5 / 48 });
  });
});

describe('weighted non-maximum suppression', () => {
  it('merges overlapping boxes into their score-weighted mean and keeps separate ones', () => {
    const kept = weightedNms([detection(0, 0.9), detection(2, 0.6), detection(40, 0.7)], 0.3);
    expect(kept).toHaveLength(2);
    expect(kept[0]?.score).toBe(0.9);
    expect(kept[0]?.box.x).toBeCloseTo((0 * 0.9 + 2 * 0.6) / 1.5, 9);
    expect(kept[0]?.keypoints[0]?.[0]).toBeCloseTo((0 * 0.9 + 2 * 0.6) / 1.5, 9);
    expect(kept[1]?.box.x).toBe(40);
  });

  it('keeps only the best of overlapping boxes in plain suppression', () => {
    const kept = hardNms([detection(2, 0.6), detection(0, 0.9), detection(40, 0.7)], 0.3);
    expect(kept.map((d) => [d.box.x, d.score])).toEqual([[0, 0.9], [40, 0.7]]);
  });

  it('measures overlap as intersection over union', () => {
    expect(intersectionOverUnion({ x: 0, y: 0, width: 10, height: 10 }, { x: 5, y: 0, width: 10, height: 10 })).toBeCloseTo(50 / 150, 12);
    expect(intersectionOverUnion({ x: 0, y: 0, width: 10, height: 10 }, { x: 20, y: 0, width: 10, height: 10 })).toBe(0);
  });
});
