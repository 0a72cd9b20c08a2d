import { type BorderExtension, createBorderExtension } from './border-extension.ts';
import { type ZoomParams, zoomImage } from './zoom-image.ts';

/**
 * The frame as a zoomed camera sees it: the background (the whole source, zoomed about the face, extended smoothly
 * beyond its border when zooming out) and the mapping of mesh positions into the zoomed frame. The background of
 * the last zoom is kept, so a clip at a constant head distance resamples it once.
 */
export interface CameraZoom {
  /** The source as seen with log zoom `zoom` (the source itself at 0). Valid until the next call. */
  background(zoom: number): Uint8Array;
  /** Maps vertex positions (x, y of each 3-value vertex) into the frame zoomed by log zoom `zoom`, in place. */
  apply(pos: Float32Array, vertexCount: number, zoom: number): void;
}

export function createCameraZoom(source: Uint8Array, width: number, height: number, cx: number, cy: number): CameraZoom {
  let extension: BorderExtension | null = null;
  let buffer: Uint8Array | null = null;
  let bufferZoom = 0;
  const params: ZoomParams = { cx, cy, factor: 1 };
  return {
    background(zoom: number): Uint8Array {
      if (zoom === 0) return source;
      if (buffer !== null && bufferZoom === zoom) return buffer;
      extension ??= createBorderExtension(source, width, height);
      buffer ??= new Uint8Array(source.length);
      params.factor = Math.exp(zoom);
      zoomImage(source, width, height, params, extension, buffer);
      bufferZoom = zoom;
      return buffer;
    },
    apply(pos: Float32Array, vertexCount: number, zoom: number): void {
      if (zoom === 0) return;
      const factor = Math.exp(zoom);
      for (let v = 0; v < vertexCount; v++) {
        pos[v * 3] = cx + (pos[v * 3]! - cx) * factor;
        pos[v * 3 + 1] = cy + (pos[v * 3 + 1]! - cy) * factor;
      }
    },
  };
}
