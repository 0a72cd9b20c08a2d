import { MediaError } from './errors.ts';

// BT.709 to limited range (Y 16..235, Cb/Cr 16..240) in 16-bit fixed point: Y = 16 + (219/255) * (Kr R + Kg G + Kb B).
// Each row of coefficients sums to what the range needs (Y: 219/255 * 65536; Cb and Cr: 0), so grey stays grey.
/** The fixed-point coefficients, shared with the WebAssembly kernel (rgb-to-yuv420-kernel.ts). */
export const YUV420_COEFFICIENTS = Object.freeze({
  Y_R: 11966, Y_G: 40254, Y_B: 4064, Y_OFFSET: (16 << 16) + (1 << 15), Y_SHIFT: 16,
  // Cb and Cr from the sum of a 2x2 block (four pixels: two more bits, shift 18), (224/255) * (B - Y') / 1.8556 and
  // (224/255) * (R - Y') / 1.5748.
  CB_R: -6596, CB_G: -22189, CB_B: 28785,
  CR_R: 28785, CR_G: -26145, CR_B: -2640,
  C_OFFSET: (128 << 18) + (1 << 17), C_SHIFT: 18,
});
const { Y_R, Y_G, Y_B, Y_OFFSET, CB_R, CB_G, CB_B, CR_R, CR_G, CR_B, C_OFFSET } = YUV420_COEFFICIENTS;

/** Bytes of one yuv420p frame (Y plane, then Cb and Cr at half width and half height). */
export function yuv420FrameBytes(width: number, height: number): number {
  return width * height + 2 * (width / 2) * (height / 2);
}

/** Throws MEDIA_BAD_OPTION or MEDIA_BAD_FRAME unless `rgb` and `out` fit a conversion of a `width`x`height` frame. */
export function checkYuv420Conversion(rgb: Uint8Array, width: number, height: number, out: Uint8Array): void {
  if (width % 2 !== 0 || height % 2 !== 0 || width < 2 || height < 2) {
    throw new MediaError('MEDIA_BAD_OPTION', `width and height must be even and at least 2 (yuv420p). Passed: ${width}x${height}`);
  }
  if (rgb.length !== width * height * 3) {
    throw new MediaError('MEDIA_BAD_FRAME', `Frame must be ${width}x${height}x3 = ${width * height * 3} bytes of RGB24. Passed: ${rgb.length} bytes`);
  }
  if (out.length !== yuv420FrameBytes(width, height)) {
    throw new MediaError('MEDIA_BAD_FRAME', `The yuv420p buffer must be ${yuv420FrameBytes(width, height)} bytes. Passed: ${out.length} bytes`);
  }
}

/**
 * Converts an RGB24 frame (row-major, even width and height) to planar yuv420p, BT.709 limited range, as the H.264
 * encoder expects: luma per pixel, chroma from the mean of each 2x2 block (centre-sited). Integer arithmetic only,
 * so the bytes are the same on every machine. Writes into `out` (yuv420FrameBytes long) and returns it.
 */
export function rgbToYuv420(rgb: Uint8Array, width: number, height: number, out: Uint8Array = new Uint8Array(yuv420FrameBytes(width, height))): Uint8Array {
  checkYuv420Conversion(rgb, width, height, out);
  const chromaWidth = width >> 1;
  const cbStart = width * height;
  const crStart = cbStart + chromaWidth * (height >> 1);
  const stride = width * 3;
  for (let y = 0; y < height; y += 2) {
    let top = y * stride;
    let bottom = top + stride;
    let lumaTop = y * width;
    let lumaBottom = lumaTop + width;
    let chroma = (y >> 1) * chromaWidth;
    for (let x = 0; x < width; x += 2) {
      const r0 = rgb[top]!, g0 = rgb[top + 1]!, b0 = rgb[top + 2]!;
      const r1 = rgb[top + 3]!, g1 = rgb[top + 4]!, b1 = rgb[top + 5]!;
      const r2 = rgb[bottom]!, g2 = rgb[bottom + 1]!, b2 = rgb[bottom + 2]!;
      const r3 = rgb[bottom + 3]!, g3 = rgb[bottom + 4]!, b3 = rgb[bottom + 5]!;
      out[lumaTop] = (Y_R * r0 + Y_G * g0 + Y_B * b0 + Y_OFFSET) >> 16;
      out[lumaTop + 1] = (Y_R * r1 + Y_G * g1 + Y_B * b1 + Y_OFFSET) >> 16;
      out[lumaBottom] = (Y_R * r2 + Y_G * g2 + Y_B * b2 + Y_OFFSET) >> 16;
      out[lumaBottom + 1] = (Y_R * r3 + Y_G * g3 + Y_B * b3 + Y_OFFSET) >> 16;
      const r = r0 + r1 + r2 + r3;
      const g = g0 + g1 + g2 + g3;
      const b = b0 + b1 + b2 + b3;
      out[cbStart + chroma] = (CB_R * r + CB_G * g + CB_B * b + C_OFFSET) >> 18;
      out[crStart + chroma] = (CR_R * r + CR_G * g + CR_B * b + C_OFFSET) >> 18;
      top += 6;
      bottom += 6;
      lumaTop += 2;
      lumaBottom += 2;
      chroma += 1;
    }
  }
  return out;
}
