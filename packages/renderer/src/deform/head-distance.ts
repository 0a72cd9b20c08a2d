/**
 * How head_scale (natural log of the head's size) is shown. The mesh warp moves the head against a still
 * background, which holds up only for small changes: grown far, the face's edge cuts a seam into the neck; shrunk
 * far, the original outline stays behind as a ghost. So only a small part about the clip's head distance is warped
 * (the model's own breathing towards and away from the camera, about +-1-2 %) and the rest is a camera zoom of the
 * whole frame about the face, as if the camera had moved.
 */
export interface HeadScaleSplit {
  /** Log scale the mesh warp applies to the head (within +-WARP_LIMIT). */
  warp: number;
  /** Log scale of the camera zoom of the whole frame. */
  zoom: number;
}

/** Log scale about the centre warped as is: the model's head_scale motion stays within it. */
export const WARP_FREE = 0.03;
/** Most log scale the warp ever applies; beyond WARP_FREE it approaches this smoothly. */
export const WARP_LIMIT = 0.05;

/** Identity up to WARP_FREE, then a smooth (C1) approach to WARP_LIMIT. */
function softLimit(d: number): number {
  const a = Math.abs(d);
  if (a <= WARP_FREE) return d;
  const room = WARP_LIMIT - WARP_FREE;
  return Math.sign(d) * (WARP_FREE + room * Math.tanh((a - WARP_FREE) / room));
}

/**
 * Splits one frame's head_scale into warp and zoom, given `centre`, the clip's constant head distance: the warp
 * takes head_scale - centre (soft-limited), the zoom the rest. With head_scale = centre = 0 both are exactly 0.
 * A function of this frame's value and the clip's constant only, so any frame renders the same in any segment.
 */
export function splitHeadScale(headScale: number, centre: number, out: HeadScaleSplit): HeadScaleSplit {
  const d = headScale - centre;
  const warp = softLimit(d);
  out.warp = warp;
  // Exactly the centre while the warp takes all of the difference (the zoomed background is then reused).
  out.zoom = centre + (d - warp);
  return out;
}
