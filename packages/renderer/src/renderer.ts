import { MOTION_CHANNEL_COUNT } from '@portrait-farm/contracts/constants';
import { RendererError } from './errors.ts';
import { createFrameGeometryPlanner } from './frame-geometry.ts';
import { createFramePainter } from './paint/frame-paint.ts';
import { type MeshwarpInput, prepareMeshwarp } from './prepare.ts';
import type { PreparedMeshwarp } from './prepared.ts';
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
  const geometryPlanner = createFrameGeometryPlanner(p);
  const geometry = geometryPlanner.createFrameGeometry();
  const painter = createFramePainter(p);
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
    const background = geometryPlanner.plan(motion, geometry);
    const { zoom, pos, openPos } = geometry;
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
    const ringEnd = p.ringTriangleCount;
    const eyeEnd = ringEnd + p.eyeTriangleCount;
    warpTriangles(target, p.rest, pos, p.triangles, 0, ringEnd, p.alpha);
    warpTriangles(target, p.rest, openPos, p.triangles, ringEnd, eyeEnd, null);
    if (painter.eyeballsMove(geometry)) {
      for (let i = 0; i < p.eyes.length; i++) painter.paintEyeball(geometry, work, i);
    }
    warpTriangles(target, geometry.lipTexture, pos, p.triangles, eyeEnd, p.triangles.length / 3, null);
    painter.paintLashLines(geometry, work);
    painter.paintMouthInterior(geometry, work);
    if (work !== frame) frame.set(work);
    return frame;
  }

  return { width, height, neutral: Float32Array.from(p.neutral), renderFrame };
}

/** Prepares the portrait and returns its renderer. */
export function createMeshwarpRenderer(input: MeshwarpInput): MeshwarpRenderer {
  return createMeshwarpRendererFromPrepared(prepareMeshwarp(input));
}
