import { CHANNEL, MOTION_CHANNEL_COUNT } from '@portrait-farm/contracts';
import { createDeformScratch, deformMesh, neutralModelGaps } from './deform/deform-mesh.ts';
import { type HeadScaleSplit, splitHeadScale } from './deform/head-distance.ts';
import { GAZE_SHIFT } from './deform/neutral-estimate.ts';
import { RendererError } from './errors.ts';
import { type ContourProfile, buildContourProfile } from './geometry/contour-profile.ts';
import { INNER_LOWER, INNER_UPPER, OUTER_LOWER, OUTER_UPPER } from './mesh/landmark-indices.ts';
import { paintEyeball, paintLashLine } from './paint/eyes.ts';
import { paintMouthInterior } from './paint/mouth-interior.ts';
import { sourceTeethDepth } from './paint/source-teeth.ts';
import { type MeshwarpInput, prepareMeshwarp } from './prepare.ts';
import type { PreparedMeshwarp } from './prepared.ts';
import { createCameraZoom } from './raster/camera-zoom.ts';
import { packPixels } from './raster/warp-spans.ts';
import { type WarpTarget, warpTriangles } from './raster/warp-triangles.ts';
import { type WarpKernelChoice, createWarpKernels } from './warp-kernel-choice.ts';

/** A renderer for one portrait. */
export interface MeshwarpRenderer {
  width: number;
  height: number;
  /** The channel values the portrait already shows (motion equal to this reproduces the portrait). */
  neutral: Float32Array;
  /**
   * Renders one frame for absolute motion (20 channels, models/SPEC.md units) into `out` (or a new buffer):
   * RGB, width * height * 3.
   */
  renderFrame(motion: Float32Array, out?: Uint8Array): Uint8Array;
}

/** Margin (pixels) around the moved mesh that painted edges may touch. */
const MARGIN = 3;

function validateMotion(motion: Float32Array): void {
  if (motion.length !== MOTION_CHANNEL_COUNT) {
    throw new RendererError('INVALID_MOTION', `motion must hold ${MOTION_CHANNEL_COUNT} channels, got ${motion.length}`);
  }
  for (let c = 0; c < MOTION_CHANNEL_COUNT; c++) {
    if (!Number.isFinite(motion[c]!)) throw new RendererError('INVALID_MOTION', `motion channel ${c} must be finite, got ${motion[c]}`);
  }
}

function validatePrepared(p: PreparedMeshwarp): void {
  if (p.format !== 'portrait-farm-meshwarp/1') {
    throw new RendererError('INVALID_PREPARED', `prepared data must have format portrait-farm-meshwarp/1, got ${String(p.format)}`);
  }
  if (p.image.length !== p.width * p.height * 3 || p.rest.length !== p.vertexCount * 3) {
    throw new RendererError('INVALID_PREPARED', `prepared data is inconsistent: image ${p.image.length} bytes for ${p.width}x${p.height}, ${p.rest.length} rest values for ${p.vertexCount} vertices`);
  }
}

/** How a renderer runs (not what it draws: every choice gives the same bytes). */
export interface MeshwarpRuntimeOptions {
  /**
   * The warp's span kernels.
   * @defaultValue 'wasm-simd' where the runtime compiles it, else 'js'
   */
  warpKernels?: WarpKernelChoice;
}

/** Builds a renderer from `prepareMeshwarp` output (for example in a worker thread). Cheap: no per-portrait analysis. */
export function createMeshwarpRendererFromPrepared(prepared: PreparedMeshwarp, runtime: MeshwarpRuntimeOptions = {}): MeshwarpRenderer {
  validatePrepared(prepared);
  const p = prepared;
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
  const texture = Float32Array.from(p.rest);
  const teethDepth = sourceTeethDepth(p.image, width, height, mouthProfile, p.colours.teeth);

  /**
   * Texture coordinates for this frame: as the lips close relative to the source, the inner-lip vertices sample a
   * little further into the lips so that teeth or shadow pixels at the source's lip edge do not line the seam.
   */
  function lipTexture(pos: Float32Array, verticalScale: number): Float32Array {
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
    return texture;
  }
  const kernels = createWarpKernels(runtime.warpKernels, width, height);
  let pixels = packPixels(p.image);
  if (kernels !== null) {
    kernels.pixels.set(pixels);
    pixels = kernels.pixels;
  }
  const target: WarpTarget = { width, height, source: p.image, pixels, out: p.image, kernels };
  // With the WebAssembly kernels every frame is drawn in their memory (`work`) and copied out whole.
  let lastWork: Uint8Array | null = null;
  let lastBox = [0, 0, width - 1, height - 1];
  let lastZoom = 0;

  function restoreRows(out: Uint8Array, background: Uint8Array, box: number[]): void {
    const [x0, y0, x1, y1] = box as [number, number, number, number];
    for (let y = y0; y <= y1; y++) {
      const start = (y * width + x0) * 3;
      const end = (y * width + x1 + 1) * 3;
      out.set(background.subarray(start, end), start);
    }
  }

  function renderFrame(motion: Float32Array, out?: Uint8Array): Uint8Array {
    validateMotion(motion);
    const frame = out ?? new Uint8Array(width * height * 3);
    if (frame.length !== width * height * 3) {
      throw new RendererError('INVALID_SIZE', `out must hold ${width * height * 3} bytes, got ${frame.length}`);
    }
    // Head distance: a small warp of the head against the background, the rest a camera zoom of the whole frame.
    splitHeadScale(motion[CHANNEL.head_scale]!, p.headDistance, split);
    warpMotion.set(motion);
    warpMotion[CHANNEL.head_scale] = split.warp;
    const zoom = split.zoom;
    const background = camera.background(zoom);
    const pos = deformMesh(p, warpMotion, scratch, neutralGaps);
    camera.apply(pos, p.vertexCount, zoom);
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (let v = 0; v < p.vertexCount; v++) {
      const x = pos[v * 3]!;
      const y = pos[v * 3 + 1]!;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    const box = [
      Math.max(0, Math.floor(minX) - MARGIN),
      Math.max(0, Math.floor(minY) - MARGIN),
      Math.min(width - 1, Math.ceil(maxX) + MARGIN),
      Math.min(height - 1, Math.ceil(maxY) + MARGIN),
    ];
    const work = kernels === null ? frame : kernels.frame;
    if (work !== lastWork || zoom !== lastZoom) work.set(background);
    else {
      restoreRows(work, background, [
        Math.min(box[0]!, lastBox[0]!), Math.min(box[1]!, lastBox[1]!), Math.max(box[2]!, lastBox[2]!), Math.max(box[3]!, lastBox[3]!),
      ]);
    }
    lastWork = work;
    lastBox = box;
    lastZoom = zoom;
    target.out = work;
    // Eyes are drawn with the lids where the source has them; the lowered lids (face triangles) cover them.
    openMotion.set(warpMotion);
    let closing = false;
    for (const eye of p.eyes) {
      const b0 = p.neutral[eye.blinkChannel]!;
      if (openMotion[eye.blinkChannel]! > b0) {
        openMotion[eye.blinkChannel] = b0;
        closing = true;
      }
    }
    let openPos = pos;
    if (closing) {
      openPos = deformMesh(p, openMotion, openScratch, neutralGaps);
      camera.apply(openPos, p.vertexCount, zoom);
    }
    const ringEnd = p.ringTriangleCount;
    const eyeEnd = ringEnd + p.eyeTriangleCount;
    warpTriangles(target, p.rest, pos, p.triangles, 0, ringEnd, p.alpha);
    warpTriangles(target, p.rest, openPos, p.triangles, ringEnd, eyeEnd, null);
    const f = p.frame;
    const gx = motion[CHANNEL.gaze_x]! - p.neutral[CHANNEL.gaze_x]!;
    const gy = motion[CHANNEL.gaze_y]! - p.neutral[CHANNEL.gaze_y]!;
    if (p.paintEyes && (Math.abs(gx) > 1e-4 || Math.abs(gy) > 1e-4)) {
      p.eyes.forEach((eye, i) => {
        const unit = GAZE_SHIFT * eyeWidths[i]!;
        paintEyeball({
          width, height, source: p.image, out: work, rest: p.rest, pos: openPos, eye, colours: eye.colours, sourceProfile: eyeProfiles[i]!,
          shiftX: (gx * f.exX + gy * f.eyX) * unit,
          shiftY: (gx * f.exY + gy * f.eyY) * unit,
        });
      });
    }
    const verticalScale = distance(pos, 168, 2) / restNoseLength;
    warpTriangles(target, lipTexture(pos, verticalScale), pos, p.triangles, eyeEnd, p.triangles.length / 3, null);
    if (p.paintEyes && closing) {
      for (const eye of p.eyes) {
        const b = motion[eye.blinkChannel]!;
        const b0 = p.neutral[eye.blinkChannel]!;
        const closure = b > b0 ? Math.min(1, (b - b0) / Math.max(1e-3, 1 - b0)) : 0;
        paintLashLine({ width, height, out: work, pos, eye, closure });
      }
    }
    if (p.mouthInterior) {
      paintMouthInterior({
        width, height, source: p.image, out: work, rest: p.rest, pos, sourceProfile: mouthProfile, colours: p.colours, mouthWidth: p.frame.mouthWidth,
        verticalScale, columnMap, teethDepth,
      });
    }
    if (work !== frame) frame.set(work);
    return frame;
  }

  return { width, height, neutral: Float32Array.from(p.neutral), renderFrame };
}

/** Prepares the portrait and returns its renderer. */
export function createMeshwarpRenderer(input: MeshwarpInput): MeshwarpRenderer {
  return createMeshwarpRendererFromPrepared(prepareMeshwarp(input));
}
