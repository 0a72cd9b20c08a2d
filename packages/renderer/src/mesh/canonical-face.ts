import { CANONICAL_VERTEX_COUNT, CANONICAL_VERTICES } from './canonical-mesh.ts';
import { EYE_L_LOWER, EYE_L_UPPER, EYE_R_LOWER, EYE_R_UPPER } from './landmark-indices.ts';
import { LANDMARK_COUNT } from './face-topology.ts';

/** Iris radius of the canonical face, centimetres. */
const IRIS_RADIUS_CM = 0.55;

/**
 * The canonical face as 478 image-space landmarks (x right, y down, z in pixels, negative = towards the camera),
 * centred on (centerX, centerY) at `pixelsPerCm`. Iris points are placed at each eye's centre (468-472 in the
 * subject's right eye). Used as the reference for neutral estimates and to build synthetic test faces.
 */
export function canonicalLandmarks(centerX: number, centerY: number, pixelsPerCm: number): Float32Array {
  const out = new Float32Array(LANDMARK_COUNT * 3);
  for (let v = 0; v < CANONICAL_VERTEX_COUNT; v++) {
    out[v * 3] = centerX + CANONICAL_VERTICES[v * 3]! * pixelsPerCm;
    out[v * 3 + 1] = centerY - CANONICAL_VERTICES[v * 3 + 1]! * pixelsPerCm;
    out[v * 3 + 2] = -CANONICAL_VERTICES[v * 3 + 2]! * pixelsPerCm;
  }
  const eyes = [
    { first: 468, contour: [...EYE_R_UPPER, ...EYE_R_LOWER] },
    { first: 473, contour: [...EYE_L_UPPER, ...EYE_L_LOWER] },
  ];
  const r = IRIS_RADIUS_CM * pixelsPerCm;
  for (const { first, contour } of eyes) {
    let x = 0;
    let y = 0;
    let z = 0;
    for (const i of contour) {
      x += out[i * 3]!;
      y += out[i * 3 + 1]!;
      z += out[i * 3 + 2]!;
    }
    x /= contour.length;
    y /= contour.length;
    z = z / contour.length - r;
    const ring = [[0, 0], [r, 0], [0, -r], [-r, 0], [0, r]] as const;
    ring.forEach(([dx, dy], k) => {
      out[(first + k) * 3] = x + dx;
      out[(first + k) * 3 + 1] = y + dy;
      out[(first + k) * 3 + 2] = z;
    });
  }
  return out;
}
