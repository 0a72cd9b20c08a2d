/**
 * Colours beyond the image's border for a camera that zooms out: the mean of the image over a window about the
 * nearest border point (wide along the border, shallow into the image), the window growing with the distance from the image (a cone of blur), so the picture
 * runs on smoothly into soft colour, without streaks or a seam. At the border the window is one pixel wide, which
 * equals the bilinear sample there, so the extension joins the image continuously.
 */
export interface BorderExtension {
  /** RGB at pixel-index position (u, v) (pixel centres at integers) outside [0, width-1] x [0, height-1]. */
  sample(u: number, v: number, out: Float32Array): void;
}

/** Growth of the window's half side along the border, per pixel of distance beyond it. */
const SPREAD = 1;
/** Growth of the window's depth into the image: shallow, so that inner content (hair) does not bleed out. */
const DEPTH = 0.25;
/** Relative sizes of the nested boxes averaged. */
const BOXES = [0.4, 0.8, 1.2, 1.6];

export function createBorderExtension(image: Uint8Array, width: number, height: number): BorderExtension {
  // Summed-area table on the pixel corners: sat[(j * (width + 1) + i) * 3 + c] = sum over pixels x < i, y < j.
  const stride = width + 1;
  const sat = new Float64Array(stride * (height + 1) * 3);
  for (let y = 0; y < height; y++) {
    let s0 = 0, s1 = 0, s2 = 0;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      s0 += image[o]!;
      s1 += image[o + 1]!;
      s2 += image[o + 2]!;
      const above = (y * stride + x + 1) * 3;
      const here = ((y + 1) * stride + x + 1) * 3;
      sat[here] = sat[above]! + s0;
      sat[here + 1] = sat[above + 1]! + s1;
      sat[here + 2] = sat[above + 2]! + s2;
    }
  }
  /** Integral from the origin to pixel-space point (X, Y) in [0, width] x [0, height] (bilinear in each cell). */
  function integral(X: number, Y: number, c: number): number {
    const i = Math.min(width - 1, Math.floor(X));
    const j = Math.min(height - 1, Math.floor(Y));
    const tx = X - i;
    const ty = Y - j;
    const a = (j * stride + i) * 3 + c;
    const b = a + stride * 3;
    return (sat[a]! * (1 - tx) + sat[a + 3]! * tx) * (1 - ty) + (sat[b]! * (1 - tx) + sat[b + 3]! * tx) * ty;
  }
  const maxU = width - 1;
  const maxV = height - 1;
  return {
    sample(u: number, v: number, out: Float32Array): void {
      const du = u < 0 ? -u : u > maxU ? u - maxU : 0;
      const dv = v < 0 ? -v : v > maxV ? v - maxV : 0;
      // Nearest border point, in pixel space (pixel i covers [i, i + 1]).
      const X = (u < 0 ? 0 : u > maxU ? maxU : u) + 0.5;
      const Y = (v < 0 ? 0 : v > maxV ? maxV : v) + 0.5;
      // Wide along the border, shallow into the image; beyond a corner in between (continuous across the regions).
      const d = Math.hypot(du, dv);
      const across = du + dv > 0 ? du / (du + dv) : 0;
      const hx = 0.5 + d * (SPREAD - (SPREAD - DEPTH) * across);
      const hy = 0.5 + d * (DEPTH + (SPREAD - DEPTH) * across);
      out[0] = 0;
      out[1] = 0;
      out[2] = 0;
      // Nested boxes approximate a tapered window, so the mean changes smoothly where a box meets a corner.
      for (const k of BOXES) {
        const x0 = Math.max(0, X - 0.5 - (hx - 0.5) * k);
        const x1 = Math.min(width, X + 0.5 + (hx - 0.5) * k);
        const y0 = Math.max(0, Y - 0.5 - (hy - 0.5) * k);
        const y1 = Math.min(height, Y + 0.5 + (hy - 0.5) * k);
        const area = (x1 - x0) * (y1 - y0) * BOXES.length;
        for (let c = 0; c < 3; c++) {
          out[c] = out[c]! + (integral(x1, y1, c) - integral(x0, y1, c) - integral(x1, y0, c) + integral(x0, y0, c)) / area;
        }
      }
    },
  };
}
