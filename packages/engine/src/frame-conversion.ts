import { createYuv420Converter, yuv420FrameBytes, type Yuv420Converter } from '@portrait-farm/media/yuv420';

/** What a render thread hands back: the marked RGB24 frame, or the frame converted to yuv420p (BT.709, limited range). */
export type FrameFormat = 'rgb24' | 'yuv420p';

/** Bytes of one frame in `format`. */
export function frameBytes(format: FrameFormat, width: number, height: number): number {
  return format === 'yuv420p' ? yuv420FrameBytes(width, height) : width * height * 3;
}

/** A render thread's RGB24 -> yuv420p conversion: one converter per frame size, and the RGB buffers it reuses. */
export interface ThreadConversion {
  /** A spent RGB24 buffer of this size to render into, or null (the renderer then makes one). */
  rgbBuffer(width: number, height: number): Uint8Array | null;
  /** Converts `rgb` into `out` (if it is a yuv420p frame of this size, else a new buffer) and keeps `rgb` for reuse. */
  toYuv420(rgb: Uint8Array, width: number, height: number, out: Uint8Array | null): Uint8Array;
}

export function createThreadConversion(): ThreadConversion {
  const converters = new Map<string, Yuv420Converter>();
  const spare: Uint8Array[] = [];
  return {
    rgbBuffer(width, height) {
      const at = spare.findIndex((buffer) => buffer.length === width * height * 3);
      return at < 0 ? null : spare.splice(at, 1)[0]!;
    },
    toYuv420(rgb, width, height, out) {
      const size = `${width}x${height}`;
      let converter = converters.get(size);
      if (converter === undefined) {
        converter = createYuv420Converter(width, height);
        converters.set(size, converter);
      }
      const yuv = converter.convert(rgb, out !== null && out.length === yuv420FrameBytes(width, height) ? out : undefined);
      spare.push(rgb);
      return yuv;
    },
  };
}
