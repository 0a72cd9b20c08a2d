/** An RGB24 frame. */
export interface RgbFrame {
  width: number;
  height: number;
  /** width*height*3 bytes, RGB. */
  data: Uint8Array;
}

/** BT.601 luma (0..255) of an RGB24 frame. */
export function lumaOf(frame: RgbFrame): Float32Array {
  const { width, height, data } = frame;
  const out = new Float32Array(width * height);
  for (let i = 0, p = 0; i < out.length; i += 1, p += 3) {
    out[i] = 0.299 * (data[p] ?? 0) + 0.587 * (data[p + 1] ?? 0) + 0.114 * (data[p + 2] ?? 0);
  }
  return out;
}

/** Mean over a (2r+1)^2 box (clamped at the edges), by integral image. */
export function boxMean(values: Float32Array, width: number, height: number, r: number): Float32Array {
  const w1 = width + 1;
  const integral = new Float64Array(w1 * (height + 1));
  for (let y = 0; y < height; y += 1) {
    let row = 0;
    for (let x = 0; x < width; x += 1) {
      row += values[y * width + x] ?? 0;
      integral[(y + 1) * w1 + x + 1] = (integral[y * w1 + x + 1] ?? 0) + row;
    }
  }
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y += 1) {
    const y0 = Math.max(0, y - r);
    const y1 = Math.min(height, y + r + 1);
    for (let x = 0; x < width; x += 1) {
      const x0 = Math.max(0, x - r);
      const x1 = Math.min(width, x + r + 1);
      const sum = (integral[y1 * w1 + x1] ?? 0) - (integral[y0 * w1 + x1] ?? 0) - (integral[y1 * w1 + x0] ?? 0) + (integral[y0 * w1 + x0] ?? 0);
      out[y * width + x] = sum / ((x1 - x0) * (y1 - y0));
    }
  }
  return out;
}
