import { type FrameGeometry, createFrameGeometryPlanner } from '../frame-geometry.ts';
import { eyeContourBounds } from '../paint/eyes.ts';
import { createFramePainter } from '../paint/frame-paint.ts';
import type { PreparedMeshwarp } from '../prepared.ts';

export type { FrameGeometry } from '../frame-geometry.ts';

/**
 * The CPU side of a frame rendered by the warp graph: the per-frame geometry and the paint layers (eyeballs, lash
 * lines, mouth interior) drawn over the warped frame, by the same planner and painter as `renderFrame` in
 * renderer.ts; frames are compared with it by graph-renderer.test.ts.
 */

/** One pass of the warp: triangles [first, end) drawn from `src` (texture) to `dst` positions, blended by `alpha`. */
export interface WarpPass {
  src: Float32Array;
  dst: Float32Array;
  first: number;
  end: number;
  alpha: Float32Array | null;
}

/**
 * Which pixels the face pass (the last warp pass, drawn after the eyeballs are painted) covers: those whose id in
 * `ids` (the frame's first id layer) lies in [first, end).
 */
export interface FaceCoverage {
  ids: Int32Array;
  first: number;
  end: number;
}

export interface FramePlanner {
  createFrameGeometry(): FrameGeometry;
  /** Fills `into` for `motion`; returns the frame's background (valid until the next call). */
  plan(motion: Float32Array, into: FrameGeometry): Uint8Array;
  /** The warp passes of a planned frame, in drawing order (later passes cover earlier ones). */
  warpPasses(geometry: FrameGeometry): WarpPass[];
  /** The triangles of the face pass (the last of `warpPasses`), drawn over the painted eyeballs. */
  readonly facePass: { first: number; end: number };
  /**
   * Paints the eyeballs, lash lines and mouth interior over the warped `frame`. The CPU renderer paints the eyeballs
   * before the face pass, whose lids then cover their edges: here the eyeballs' pixels that the face covers are put
   * back after painting.
   */
  paint(geometry: FrameGeometry, frame: Uint8Array, face: FaceCoverage): void;
}

export function createFramePlanner(p: PreparedMeshwarp): FramePlanner {
  const { width, height } = p;
  const geometryPlanner = createFrameGeometryPlanner(p);
  const painter = createFramePainter(p);
  const eyeEnd = p.ringTriangleCount + p.eyeTriangleCount;
  const saved = new Uint8Array(width * height * 3);

  /** The pixels paintEyeball may touch: the eye contours' bounds and one pixel around them. */
  function eyeBox(pos: Float32Array, eye: PreparedMeshwarp['eyes'][number]): [number, number, number, number] {
    const [minX, minY, maxX, maxY] = eyeContourBounds(pos, eye);
    return [
      Math.max(0, Math.floor(minX - 1)), Math.max(0, Math.floor(minY - 1)),
      Math.min(width - 1, Math.ceil(maxX + 1)), Math.min(height - 1, Math.ceil(maxY + 1)),
    ];
  }

  function restoreFaceCovered(frame: Uint8Array, box: [number, number, number, number], face: FaceCoverage): void {
    const [x0, y0, x1, y1] = box;
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const pixel = y * width + x;
        const id = face.ids[pixel]!;
        if (id < face.first || id >= face.end) continue;
        frame[pixel * 3] = saved[pixel * 3]!;
        frame[pixel * 3 + 1] = saved[pixel * 3 + 1]!;
        frame[pixel * 3 + 2] = saved[pixel * 3 + 2]!;
      }
    }
  }

  function saveBox(frame: Uint8Array, box: [number, number, number, number]): void {
    const [x0, y0, x1, y1] = box;
    for (let y = y0; y <= y1; y++) saved.set(frame.subarray((y * width + x0) * 3, (y * width + x1 + 1) * 3), (y * width + x0) * 3);
  }

  return {
    createFrameGeometry: geometryPlanner.createFrameGeometry,
    plan: geometryPlanner.plan,

    facePass: { first: eyeEnd, end: p.triangles.length / 3 },

    warpPasses(g: FrameGeometry): WarpPass[] {
      const ringEnd = p.ringTriangleCount;
      return [
        { src: p.rest, dst: g.pos, first: 0, end: ringEnd, alpha: p.alpha },
        { src: p.rest, dst: g.openPos, first: ringEnd, end: eyeEnd, alpha: null },
        { src: g.lipTexture, dst: g.pos, first: eyeEnd, end: p.triangles.length / 3, alpha: null },
      ];
    },

    paint(g: FrameGeometry, frame: Uint8Array, face: FaceCoverage): void {
      if (painter.eyeballsMove(g)) {
        p.eyes.forEach((eye, i) => {
          const box = eyeBox(g.openPos, eye);
          saveBox(frame, box);
          painter.paintEyeball(g, frame, i);
          restoreFaceCovered(frame, box, face);
        });
      }
      painter.paintLashLines(g, frame);
      painter.paintMouthInterior(g, frame);
    },
  };
}
