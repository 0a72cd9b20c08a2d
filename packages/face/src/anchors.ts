/** A detector anchor: centre in input-normalised units (0..1); anchors of BlazeFace have unit size. */
export interface Anchor {
  x: number;
  y: number;
}

/** Layout of one BlazeFace variant's anchor grid (SSD anchors with fixed unit size). */
export interface AnchorLayout {
  inputSize: number;
  /** Stride of each feature layer; consecutive layers with the same stride share one grid. */
  strides: readonly number[];
  /** Anchors per grid cell contributed by each layer. */
  anchorsPerLayer: number;
}

/** face_detection_short_range: 128x128 input, 16x16 grid x 2 + 8x8 grid x 6 = 896 anchors. */
export const SHORT_RANGE_LAYOUT: AnchorLayout = { inputSize: 128, strides: [8, 16, 16, 16], anchorsPerLayer: 2 };

/** face_detection_full_range: 192x192 input, 48x48 grid x 1 = 2304 anchors. */
export const FULL_RANGE_LAYOUT: AnchorLayout = { inputSize: 192, strides: [4], anchorsPerLayer: 1 };

/** Anchor centres in the order the detector emits its boxes. */
export function generateAnchors(layout: AnchorLayout): Anchor[] {
  const anchors: Anchor[] = [];
  let layer = 0;
  while (layer < layout.strides.length) {
    const stride = layout.strides[layer] ?? 1;
    let last = layer;
    while (last + 1 < layout.strides.length && layout.strides[last + 1] === stride) last++;
    const perCell = (last - layer + 1) * layout.anchorsPerLayer;
    const cells = Math.ceil(layout.inputSize / stride);
    for (let y = 0; y < cells; y++) {
      for (let x = 0; x < cells; x++) {
        for (let n = 0; n < perCell; n++) anchors.push({ x: (x + 0.5) / cells, y: (y + 0.5) / cells });
      }
    }
    layer = last + 1;
  }
  return anchors;
}
