/** A displacement of one vertex, in pixels: [dx, dy, dz]. */
export type Displacement = readonly [number, number, number];

/**
 * Spreads displacements given at control vertices to every vertex: inverse-distance (Shepard) interpolation of
 * the controls, faded by exp(-(d/sigma)^2) where d is the distance to the nearest control. Controls keep their
 * own displacement exactly. Pins are controls with zero displacement that stop the field from leaking.
 */
export function spreadField(
  rest: Float32Array,
  vertexCount: number,
  controls: ReadonlyMap<number, Displacement>,
  sigma: number,
  out: Float32Array,
): void {
  const entries = [...controls.entries()];
  const inv2 = 1 / (sigma * sigma);
  for (let v = 0; v < vertexCount; v++) {
    const own = controls.get(v);
    if (own !== undefined) {
      out[v * 3] = own[0];
      out[v * 3 + 1] = own[1];
      out[v * 3 + 2] = own[2];
      continue;
    }
    const x = rest[v * 3]!;
    const y = rest[v * 3 + 1]!;
    let wsum = 0;
    let dx = 0;
    let dy = 0;
    let dz = 0;
    let nearest = Infinity;
    for (const [c, d] of entries) {
      const ex = rest[c * 3]! - x;
      const ey = rest[c * 3 + 1]! - y;
      const dist2 = ex * ex + ey * ey + 1e-6;
      if (dist2 < nearest) nearest = dist2;
      const w = 1 / (dist2 * dist2);
      wsum += w;
      dx += w * d[0];
      dy += w * d[1];
      dz += w * d[2];
    }
    const fade = Math.exp(-nearest * inv2) / wsum;
    out[v * 3] = dx * fade;
    out[v * 3 + 1] = dy * fade;
    out[v * 3 + 2] = dz * fade;
  }
}
