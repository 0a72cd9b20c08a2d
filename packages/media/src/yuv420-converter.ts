import { compiledOnce, webAssembly } from '@portrait-farm/wasm-writer';
import { KERNEL_BLOCK_PIXELS, KERNEL_READ_PAST_END, writeRgbToYuv420Module } from './rgb-to-yuv420-kernel.ts';
import { checkYuv420Conversion, rgbToYuv420, yuv420FrameBytes } from './rgb-to-yuv420.ts';

const PAGE = 65536;
const V128_BYTES = 16;

/** Converts RGB24 frames of one size to yuv420p, byte for byte as {@link rgbToYuv420}. */
export interface Yuv420Converter {
  readonly width: number;
  readonly height: number;
  /** True where the WebAssembly SIMD kernel converts; false where rgbToYuv420 does. */
  readonly simd: boolean;
  /** Converts `rgb` into `out` (yuv420FrameBytes long, a new buffer if left out) and returns it. */
  convert(rgb: Uint8Array, out?: Uint8Array): Uint8Array;
}

const rgbToYuv420Module = compiledOnce(writeRgbToYuv420Module);

/**
 * A converter for `width`x`height` frames: the WebAssembly SIMD kernel where the runtime compiles it, the frame is at
 * least 16 pixels wide and `simd` is not false; else {@link rgbToYuv420}.
 */
export function createYuv420Converter(width: number, height: number, options: { simd?: boolean } = {}): Yuv420Converter {
  checkYuv420Conversion(new Uint8Array(width * height * 3), width, height, new Uint8Array(yuv420FrameBytes(width, height)));
  const module = options.simd === false || width < KERNEL_BLOCK_PIXELS ? null : rgbToYuv420Module();
  const frameBytes = yuv420FrameBytes(width, height);
  if (module === null || webAssembly === null) {
    return { width, height, simd: false, convert: (rgb, out = new Uint8Array(frameBytes)) => rgbToYuv420(rgb, width, height, out) };
  }
  const rgbBytes = width * height * 3;
  const yuvAt = Math.ceil((rgbBytes + KERNEL_READ_PAST_END) / V128_BYTES) * V128_BYTES;
  const memory = new webAssembly.Memory({ initial: Math.ceil((yuvAt + frameBytes) / PAGE) });
  const run = new webAssembly.Instance(module, { env: { memory } }).exports['convert'] as (width: number, height: number, rgb: number, yuv: number) => void;
  const bytes = new Uint8Array(memory.buffer);
  const yuv = bytes.subarray(yuvAt, yuvAt + frameBytes);
  return {
    width,
    height,
    simd: true,
    convert(rgb, out = new Uint8Array(frameBytes)) {
      checkYuv420Conversion(rgb, width, height, out);
      bytes.set(rgb, 0);
      run(width, height, 0, yuvAt);
      out.set(yuv);
      return out;
    },
  };
}
