import { RendererError } from './errors.ts';

/** Longest side of a full-framing output. */
export const MAX_FULL_SIDE = 1920;
/** Side of the square crop output. */
export const CROP_SIZE = 512;

/**
 * Output size for full framing: the original aspect ratio with the long side capped at 1920 and both sides even
 * (H.264 with 4:2:0 chroma needs even dimensions).
 */
export function fitFull(width: number, height: number): { width: number; height: number } {
  if (!Number.isFinite(width) || !Number.isFinite(height) || width < 2 || height < 2) {
    throw new RendererError('INVALID_SIZE', `image size must be at least 2x2 pixels, got ${width}x${height}`);
  }
  const scale = Math.min(1, MAX_FULL_SIDE / Math.max(width, height));
  const even = (x: number): number => Math.max(2, 2 * Math.floor((x * scale) / 2));
  return { width: even(width), height: even(height) };
}
