import { CHANNEL } from '@portrait-farm/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildContourProfile, sampleColumn } from '../geometry/contour-profile.ts';
import { prepareMeshwarp } from '../prepare.ts';
import type { PreparedMeshwarp } from '../prepared.ts';
import { createMeshwarpRendererFromPrepared, type MeshwarpRenderer } from '../renderer.ts';
import { astronautPortrait, faceCrop, type PortraitFixture } from '../testing/astronaut-portrait.ts';

let portrait: PortraitFixture;
let prepared: PreparedMeshwarp;
let renderer: MeshwarpRenderer;
beforeAll(async () => {
  portrait = await faceCrop(await astronautPortrait());
  prepared = prepareMeshwarp(portrait);
  renderer = createMeshwarpRendererFromPrepared(prepared);
});

function motion(channels: Partial<Record<keyof typeof CHANNEL, number>>): Float32Array {
  const m = Float32Array.from(renderer.neutral);
  for (const [name, value] of Object.entries(channels)) m[CHANNEL[name as keyof typeof CHANNEL]] = value;
  return m;
}

const luma = (f: Uint8Array, o: number): number => 0.299 * f[o]! + 0.587 * f[o + 1]! + 0.114 * f[o + 2]!;

/** Lumas of the source eye openings (at least a pixel inside the lids), sorted, brightest last. */
function openingLumas(frame: Uint8Array): number[] {
  const values: number[] = [];
  for (const eye of prepared.eyes) {
    const sp = buildContourProfile(prepared.rest, eye.upper, eye.lower);
    for (let y = 0; y < portrait.image.height; y++) {
      for (let x = 0; x < portrait.image.width; x++) {
        const px = x + 0.5 - sp.cornerX;
        const py = y + 0.5 - sp.cornerY;
        const a = px * sp.axisX + py * sp.axisY;
        if (a <= 0.15 * sp.length || a >= 0.85 * sp.length) continue;
        const b = px * sp.normalX + py * sp.normalY;
        if (b < sampleColumn(sp.upper, a) + 1 || b > sampleColumn(sp.lower, a) - 1) continue;
        values.push(luma(frame, (y * portrait.image.width + x) * 3));
      }
    }
  }
  return values.sort((p, q) => p - q);
}

describe('eyes at the extremes of gaze', () => {
  it('keep the white of the eye: the bright part of the opening stays as bright as in the source', () => {
    const source = openingLumas(portrait.image.data);
    const brightHalf = (v: number[]): number => v.slice(Math.floor(v.length / 2)).reduce((a, b) => a + b, 0) / (v.length - Math.floor(v.length / 2));
    for (const gaze of [{ gaze_x: 1 }, { gaze_x: -1 }, { gaze_y: 1 }, { gaze_y: -1 }]) {
      const frame = renderer.renderFrame(motion(gaze));
      const values = openingLumas(frame);
      expect(brightHalf(values)).toBeGreaterThan(0.93 * brightHalf(source));
    }
  });

  it('keep the iris in the opening when looking far down or up (the lids follow the eye)', () => {
    for (const gaze of [{ gaze_y: 1 }, { gaze_y: -1 }]) {
      const values = openingLumas(renderer.renderFrame(motion(gaze)));
      const darkShare = values.filter((v) => v < 90).length / values.length;
      const sourceShare = openingLumas(portrait.image.data).filter((v) => v < 90).length / values.length;
      expect(darkShare).toBeGreaterThan(0.4 * sourceShare);
    }
  });
});
