import { CHANNEL } from '@portrait-farm/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { splitHeadScale, WARP_LIMIT } from './deform/head-distance.ts';
import { RendererError } from './errors.ts';
import { prepareMeshwarp } from './prepare.ts';
import type { PreparedMeshwarp } from './prepared.ts';
import { createMeshwarpRendererFromPrepared } from './renderer.ts';
import { astronautPortrait, faceCrop, type PortraitFixture } from './testing/astronaut-portrait.ts';

let photo: PortraitFixture;
beforeAll(async () => {
  photo = await faceCrop(await astronautPortrait());
});

const luma = (f: ArrayLike<number>, o: number): number => 0.299 * f[o]! + 0.587 * f[o + 1]! + 0.114 * f[o + 2]!;

function render(headScale: number, headDistance: number, channels: Partial<Record<keyof typeof CHANNEL, number>> = {}): { out: Uint8Array; prepared: PreparedMeshwarp } {
  const prepared = prepareMeshwarp({ ...photo, options: { headDistance } });
  const renderer = createMeshwarpRendererFromPrepared(prepared);
  const m = Float32Array.from(renderer.neutral);
  m[CHANNEL.head_scale] = headScale;
  for (const [name, value] of Object.entries(channels)) m[CHANNEL[name as keyof typeof CHANNEL]] = value;
  return { out: renderer.renderFrame(m), prepared };
}

/** The source as a camera zoomed by exp(logZoom) about (cx, cy) sees it (float bilinear), and where it covers. */
function zoomedOriginal(logZoom: number, cx: number, cy: number): { image: Float32Array; covered: Uint8Array } {
  const { width, height, data } = photo.image;
  const factor = Math.exp(logZoom);
  const image = new Float32Array(width * height * 3);
  const covered = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = cx + (x + 0.5 - cx) / factor - 0.5;
      const v = cy + (y + 0.5 - cy) / factor - 0.5;
      if (u < 0 || v < 0 || u > width - 1 || v > height - 1) continue;
      covered[y * width + x] = 1;
      const ix = Math.min(width - 2, Math.floor(u));
      const iy = Math.min(height - 2, Math.floor(v));
      const tx = u - ix;
      const ty = v - iy;
      for (let c = 0; c < 3; c++) {
        const p = (iy * width + ix) * 3 + c;
        const q = p + width * 3;
        image[(y * width + x) * 3 + c] = (data[p]! * (1 - tx) + data[p + 3]! * tx) * (1 - ty) + (data[q]! * (1 - tx) + data[q + 3]! * tx) * ty;
      }
    }
  }
  return { image, covered };
}

/** Largest luma step between vertically adjacent pixels in a window about the zoomed chin (the jaw/neck line). */
function jawStep(frame: ArrayLike<number>, prepared: PreparedMeshwarp, logZoom: number): number {
  const { width, height } = photo.image;
  const lm = photo.landmarks;
  const [cx, cy] = prepared.headPivot;
  const f = Math.exp(logZoom);
  const chinX = cx + (lm[152 * 3]! - cx) * f;
  const chinY = cy + (lm[152 * 3 + 1]! - cy) * f;
  const faceWidth = prepared.faceWidth * f;
  let step = 0;
  for (let x = Math.round(chinX - 0.3 * faceWidth); x <= Math.round(chinX + 0.3 * faceWidth); x++) {
    for (let y = Math.round(chinY - 0.15 * faceWidth); y < Math.min(height - 1, Math.round(chinY + 0.1 * faceWidth)); y++) {
      const o = (y * width + x) * 3;
      step = Math.max(step, Math.abs(luma(frame, o + width * 3) - luma(frame, o)));
    }
  }
  return step;
}

describe('head distance as a camera zoom', () => {
  it('splits head_scale into a small warp about the clip\'s head distance and a zoom (0 and 0 at 0)', () => {
    const split = { warp: 1, zoom: 1 };
    expect(splitHeadScale(0, 0, split)).toEqual({ warp: 0, zoom: 0 });
    expect(splitHeadScale(0.51, 0.5, split).zoom).toBe(0.5);
    expect(split.warp).toBeCloseTo(0.01, 6);
    splitHeadScale(-0.5, 0, split);
    expect(split.warp).toBeGreaterThanOrEqual(-WARP_LIMIT);
    expect(split.warp + split.zoom).toBeCloseTo(-0.5, 9);
    expect(() => prepareMeshwarp({ ...photo, options: { headDistance: 0.8 } })).toThrow(RendererError);
  });

  it('headDistance +-0.5 shows the whole original zoomed: no ghost of the original outline (every pixel within 4 levels)', () => {
    // Before: the head shrank against a still background; pixels differed by up to 253 levels (hair ghost).
    for (const d of [-0.5, 0.5]) {
      const { out, prepared } = render(d, d);
      const ref = zoomedOriginal(d, prepared.headPivot[0], prepared.headPivot[1]);
      let worst = 0;
      for (let i = 0; i < ref.covered.length; i++) {
        if (ref.covered[i] === 0) continue;
        for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(out[i * 3 + c]! - ref.image[i * 3 + c]!));
      }
      expect(worst, `headDistance ${d}`).toBeLessThanOrEqual(4);
    }
  });

  it('head_scale +0.5 leaves no hard seam at the jaw against the neck (with and without the clip\'s head distance)', () => {
    // Before: the enlarged face cut into the neck with a luma step of 208 where the zoomed original has 47.
    for (const [scale, distance] of [[0.5, 0], [0.52, 0.5]] as const) {
      const { out, prepared } = render(scale, distance);
      const ref = zoomedOriginal(scale, prepared.headPivot[0], prepared.headPivot[1]);
      expect(jawStep(out, prepared, scale), `head_scale ${scale}`).toBeLessThanOrEqual(1.25 * jawStep(ref.image, prepared, scale) + 10);
    }
  });

  it('zooming out extends the border smoothly: no seam where the source ends', () => {
    const { width } = photo.image;
    const { out, prepared } = render(-0.5, -0.5);
    const { covered } = zoomedOriginal(-0.5, prepared.headPivot[0], prepared.headPivot[1]);
    let across = 0;
    let inside = 0;
    let worst = 0;
    let rows = 0;
    for (let y = 0; y < photo.image.height; y++) {
      const row = covered.subarray(y * width, (y + 1) * width);
      const first = row.indexOf(1);
      const last = row.lastIndexOf(1);
      if (first <= 0 || last >= width - 1) continue;
      for (const [out1, in1, in2] of [[first - 1, first, first + 1], [last + 1, last, last - 1]]) {
        const step = Math.abs(luma(out, (y * width + out1!) * 3) - luma(out, (y * width + in1!) * 3));
        across += step;
        inside += Math.abs(luma(out, (y * width + in1!) * 3) - luma(out, (y * width + in2!) * 3));
        worst = Math.max(worst, step);
        rows++;
      }
    }
    expect(rows).toBeGreaterThan(200);
    expect(across / rows).toBeLessThanOrEqual(inside / rows + 1);
    expect(worst).toBeLessThan(40);
  });

  it('renders each frame from its own motion only: any order and reused buffers give the same bytes', () => {
    const prepared = prepareMeshwarp({ ...photo, options: { headDistance: -0.3 } });
    const renderer = createMeshwarpRendererFromPrepared(prepared);
    const motions = [-0.3, -0.28, 0, -0.5, -0.3, 0.1].map((scale, i) => {
      const m = Float32Array.from(renderer.neutral);
      m[CHANNEL.head_scale] = scale;
      m[CHANNEL.jaw_open] = 0.2 * i;
      return m;
    });
    const fresh = motions.map((m) => createMeshwarpRendererFromPrepared(prepared).renderFrame(m));
    const buffer = new Uint8Array(fresh[0]!.length);
    for (const i of [5, 0, 3, 1, 1, 4, 2, 0]) {
      expect(Buffer.from(renderer.renderFrame(motions[i]!, buffer)).equals(Buffer.from(fresh[i]!)), `frame ${i}`).toBe(true);
    }
  });
});
