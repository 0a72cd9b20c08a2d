import { RendererError } from './errors.ts';

/** Options of the meshwarp renderer. All optional. */
export interface MeshwarpOptions {
  /**
   * Channel values the portrait already shows, overriding the estimate from its landmarks (20 values, NaN keeps the
   * estimate for that channel).
   * @defaultValue estimated from the landmarks
   */
  neutral?: Float32Array | readonly number[];
  /**
   * Paint the mouth interior (teeth, tongue, darkness) when the lips part.
   * @defaultValue true
   */
  mouthInterior?: boolean;
  /**
   * Redraw the eyes for gaze and closed lids.
   * @defaultValue true
   */
  eyes?: boolean;
}

/** Options with every field resolved. */
export interface ResolvedMeshwarpOptions {
  neutral: Float32Array | null;
  mouthInterior: boolean;
  eyes: boolean;
}

export function resolveOptions(options: MeshwarpOptions | undefined): ResolvedMeshwarpOptions {
  const neutral = options?.neutral;
  if (neutral !== undefined && neutral.length !== 20) {
    throw new RendererError('INVALID_OPTION', `options.neutral must hold 20 channel values, got ${neutral.length}`);
  }
  return {
    neutral: neutral === undefined ? null : Float32Array.from(neutral),
    mouthInterior: options?.mouthInterior ?? true,
    eyes: options?.eyes ?? true,
  };
}
