import { CHANNEL, MOTION_CHANNEL_COUNT } from '@portrait-farm/contracts/constants';
import { createDeformScratch, deformMesh, neutralModelGaps } from './deform/deform-mesh.ts';
import { type HeadScaleSplit, splitHeadScale } from './deform/head-distance.ts';
import { INNER_LOWER, INNER_UPPER, OUTER_LOWER, OUTER_UPPER } from './mesh/landmark-indices.ts';
import type { PreparedMeshwarp } from './prepared.ts';
import { createCameraZoom } from './raster/camera-zoom.ts';

/**
 * The per-frame geometry that the CPU renderer (`renderFrame`) and the warp graph's frame plan share: head distance
 * split, mesh deformation, camera zoom, lids held open for the eye triangles, lip texture inset.
 */

/** One frame's geometry; arrays owned by the caller (`createFrameGeometry`), filled by `FrameGeometryPlanner.plan`. */
export interface FrameGeometry {
  motion: Float32Array;
  /** Log camera zoom of the frame. */
  zoom: number;
  /** Final vertex positions (x, y, z per vertex). */
  pos: Float32Array;
  /** Positions with the lids where the source has them (drawn for the eye triangles; equal to `pos` if no lid closes). */
  openPos: Float32Array;
  /**
   * Texture (rest) positions of the mouth triangles: as the lips close relative to the source, the inner-lip vertices
   * sample a little further into the lips so that teeth or shadow pixels at the source's lip edge do not line the seam.
   */
  lipTexture: Float32Array;
  /** Nose length of the frame over the source's: the face's vertical scale. */
  verticalScale: number;
  /** Whether a lid closes below the source's (then `openPos` differs from `pos`). */
  closing: boolean;
}

export interface FrameGeometryPlanner {
  createFrameGeometry(): FrameGeometry;
  /** Fills `into` for `motion`; returns the frame's background (valid until the next call). */
  plan(motion: Float32Array, into: FrameGeometry): Uint8Array;
}

/** Distance in the image plane between vertices `a` and `b` of `points`. */
export function vertexDistance(points: Float32Array, a: number, b: number): number {
  return Math.hypot(points[a * 3]! - points[b * 3]!, points[a * 3 + 1]! - points[b * 3 + 1]!);
}

export function createFrameGeometryPlanner(p: PreparedMeshwarp): FrameGeometryPlanner {
  const scratch = createDeformScratch(p);
  const openScratch = createDeformScratch(p);
  const openMotion = new Float32Array(MOTION_CHANNEL_COUNT);
  const warpMotion = new Float32Array(MOTION_CHANNEL_COUNT);
  const split: HeadScaleSplit = { warp: 0, zoom: 0 };
  const camera = createCameraZoom(p.image, p.width, p.height, p.headPivot[0], p.headPivot[1]);
  const neutralGaps = neutralModelGaps(p);
  const restNoseLength = Math.max(1e-3, vertexDistance(p.rest, 168, 2));

  function fillLipTexture(texture: Float32Array, pos: Float32Array, verticalScale: number): void {
    texture.set(p.rest);
    for (let k = 1; k < INNER_UPPER.length - 1; k++) {
      const u = INNER_UPPER[k]!;
      const l = INNER_LOWER[k]!;
      const source = vertexDistance(p.rest, u, l) * verticalScale;
      const closing = source > 0.5 ? Math.min(1, Math.max(0, 1 - vertexDistance(pos, u, l) / source)) : 0;
      for (const [inner, outer] of [[u, OUTER_UPPER[k]!], [l, OUTER_LOWER[k]!]] as const) {
        const thickness = vertexDistance(p.rest, inner, outer);
        const t = thickness > 0 ? (Math.min(1.5, 0.3 * thickness) * closing) / thickness : 0;
        texture[inner * 3] = p.rest[inner * 3]! + (p.rest[outer * 3]! - p.rest[inner * 3]!) * t;
        texture[inner * 3 + 1] = p.rest[inner * 3 + 1]! + (p.rest[outer * 3 + 1]! - p.rest[inner * 3 + 1]!) * t;
      }
    }
  }

  return {
    createFrameGeometry(): FrameGeometry {
      const vertices = p.vertexCount * 3;
      return {
        motion: new Float32Array(MOTION_CHANNEL_COUNT), zoom: 0, pos: new Float32Array(vertices), openPos: new Float32Array(vertices),
        lipTexture: new Float32Array(vertices), verticalScale: 1, closing: false,
      };
    },

    plan(motion: Float32Array, into: FrameGeometry): Uint8Array {
      into.motion.set(motion);
      // Head distance: a small warp of the head against the background, the rest a camera zoom of the whole frame.
      splitHeadScale(motion[CHANNEL.head_scale]!, p.headDistance, split);
      warpMotion.set(motion);
      warpMotion[CHANNEL.head_scale] = split.warp;
      into.zoom = split.zoom;
      into.pos.set(deformMesh(p, warpMotion, scratch, neutralGaps));
      camera.apply(into.pos, p.vertexCount, into.zoom);
      // Eyes are drawn with the lids where the source has them; the lowered lids (face triangles) cover them.
      openMotion.set(warpMotion);
      into.closing = false;
      for (const eye of p.eyes) {
        const b0 = p.neutral[eye.blinkChannel]!;
        if (openMotion[eye.blinkChannel]! > b0) {
          openMotion[eye.blinkChannel] = b0;
          into.closing = true;
        }
      }
      if (into.closing) {
        into.openPos.set(deformMesh(p, openMotion, openScratch, neutralGaps));
        camera.apply(into.openPos, p.vertexCount, into.zoom);
      } else into.openPos.set(into.pos);
      into.verticalScale = vertexDistance(into.pos, 168, 2) / restNoseLength;
      fillLipTexture(into.lipTexture, into.pos, into.verticalScale);
      return camera.background(into.zoom);
    },
  };
}
