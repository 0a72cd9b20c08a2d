import { CHANNEL, MOTION_CHANNEL_COUNT } from '@portrait-farm/contracts';
import { createDeformScratch, deformMesh, neutralModelGaps } from '../deform/deform-mesh.ts';
import { type HeadScaleSplit, splitHeadScale } from '../deform/head-distance.ts';
import { GAZE_SHIFT } from '../deform/neutral-estimate.ts';
import { type ContourProfile, buildContourProfile } from '../geometry/contour-profile.ts';
import { INNER_LOWER, INNER_UPPER, OUTER_LOWER, OUTER_UPPER } from '../mesh/landmark-indices.ts';
import { paintEyeball, paintLashLine } from '../paint/eyes.ts';
import { paintMouthInterior } from '../paint/mouth-interior.ts';
import { sourceTeethDepth } from '../paint/source-teeth.ts';
import type { PreparedMeshwarp } from '../prepared.ts';
import { createCameraZoom } from '../raster/camera-zoom.ts';

/**
 * The CPU side of a frame rendered by the warp graph: the per-frame geometry (head distance split, mesh deformation,
 * camera zoom, lids held open for the eye triangles, lip texture inset) and the paint layers (eyeballs, lash lines,
 * mouth interior) drawn over the warped frame. The same steps, in the same order and with the same values, as
 * `renderFrame` in renderer.ts; frames are compared with it by graph-renderer.test.ts.
 */

/** One frame's geometry; arrays owned by the caller (`createFrameGeometry`), filled by `FramePlanner.plan`. */
export interface FrameGeometry {
  motion: Float32Array;
  /** Log camera zoom of the frame. */
  zoom: number;
  /** Final vertex positions (x, y, z per vertex). */
  pos: Float32Array;
  /** Positions with the lids where the source has them (drawn for the eye triangles; equal to `pos` if no lid closes). */
  openPos: Float32Array;
  /** Texture (rest) positions of the mouth triangles, inner lips inset as the lips close. */
  lipTexture: Float32Array;
  verticalScale: number;
  closing: boolean;
}

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
  const scratch = createDeformScratch(p);
  const openScratch = createDeformScratch(p);
  const openMotion = new Float32Array(MOTION_CHANNEL_COUNT);
  const warpMotion = new Float32Array(MOTION_CHANNEL_COUNT);
  const split: HeadScaleSplit = { warp: 0, zoom: 0 };
  const camera = createCameraZoom(p.image, width, height, p.headPivot[0], p.headPivot[1]);
  const neutralGaps = neutralModelGaps(p);
  const mouthProfile: ContourProfile = buildContourProfile(p.rest, INNER_UPPER, INNER_LOWER);
  const eyeProfiles = p.eyes.map((eye) => buildContourProfile(p.rest, eye.upper, eye.lower));
  const eyeWidths = eyeProfiles.map((profile) => profile.length);
  const distance = (points: Float32Array, a: number, b: number): number =>
    Math.hypot(points[a * 3]! - points[b * 3]!, points[a * 3 + 1]! - points[b * 3 + 1]!);
  const restNoseLength = Math.max(1e-3, distance(p.rest, 168, 2));
  const columnMap = new Float32Array(4096);
  const teethDepth = sourceTeethDepth(p.image, width, height, mouthProfile, p.colours.teeth);
  const eyeEnd = p.ringTriangleCount + p.eyeTriangleCount;
  const saved = new Uint8Array(width * height * 3);

  /** The pixels paintEyeball may touch: the eye contours' bounds and one pixel around them. */
  function eyeBox(pos: Float32Array, eye: PreparedMeshwarp['eyes'][number]): [number, number, number, number] {
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (const v of [...eye.upper, ...eye.lower]) {
      minX = Math.min(minX, pos[v * 3]!);
      maxX = Math.max(maxX, pos[v * 3]!);
      minY = Math.min(minY, pos[v * 3 + 1]!);
      maxY = Math.max(maxY, pos[v * 3 + 1]!);
    }
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

  function fillLipTexture(texture: Float32Array, pos: Float32Array, verticalScale: number): void {
    texture.set(p.rest);
    for (let k = 1; k < INNER_UPPER.length - 1; k++) {
      const u = INNER_UPPER[k]!;
      const l = INNER_LOWER[k]!;
      const source = distance(p.rest, u, l) * verticalScale;
      const closing = source > 0.5 ? Math.min(1, Math.max(0, 1 - distance(pos, u, l) / source)) : 0;
      for (const [inner, outer] of [[u, OUTER_UPPER[k]!], [l, OUTER_LOWER[k]!]] as const) {
        const thickness = distance(p.rest, inner, outer);
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
      splitHeadScale(motion[CHANNEL.head_scale]!, p.headDistance, split);
      warpMotion.set(motion);
      warpMotion[CHANNEL.head_scale] = split.warp;
      into.zoom = split.zoom;
      into.pos.set(deformMesh(p, warpMotion, scratch, neutralGaps));
      camera.apply(into.pos, p.vertexCount, into.zoom);
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
      into.verticalScale = distance(into.pos, 168, 2) / restNoseLength;
      fillLipTexture(into.lipTexture, into.pos, into.verticalScale);
      return camera.background(into.zoom);
    },

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
      const { motion, pos, openPos } = g;
      const f = p.frame;
      const gx = motion[CHANNEL.gaze_x]! - p.neutral[CHANNEL.gaze_x]!;
      const gy = motion[CHANNEL.gaze_y]! - p.neutral[CHANNEL.gaze_y]!;
      if (p.paintEyes && (Math.abs(gx) > 1e-4 || Math.abs(gy) > 1e-4)) {
        p.eyes.forEach((eye, i) => {
          const unit = GAZE_SHIFT * eyeWidths[i]!;
          const box = eyeBox(openPos, eye);
          saveBox(frame, box);
          paintEyeball({
            width, height, source: p.image, out: frame, rest: p.rest, pos: openPos, eye, colours: eye.colours, sourceProfile: eyeProfiles[i]!,
            shiftX: (gx * f.exX + gy * f.eyX) * unit,
            shiftY: (gx * f.exY + gy * f.eyY) * unit,
          });
          restoreFaceCovered(frame, box, face);
        });
      }
      if (p.paintEyes && g.closing) {
        for (const eye of p.eyes) {
          const b = motion[eye.blinkChannel]!;
          const b0 = p.neutral[eye.blinkChannel]!;
          const closure = b > b0 ? Math.min(1, (b - b0) / Math.max(1e-3, 1 - b0)) : 0;
          paintLashLine({ width, height, out: frame, pos, eye, closure });
        }
      }
      if (p.mouthInterior) {
        paintMouthInterior({
          width, height, source: p.image, out: frame, rest: p.rest, pos, sourceProfile: mouthProfile, colours: p.colours, mouthWidth: p.frame.mouthWidth,
          verticalScale: g.verticalScale, columnMap, teethDepth,
        });
      }
    },
  };
}
