import { RENDER_OPTION_RANGES } from '@portrait-farm/contracts/constants';
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
  /**
   * The clip's constant head distance (the `headDistance` control: natural log of scale, + = closer), which the
   * motion's head_scale already includes. It is shown as a camera zoom of the whole frame about the face; the mesh
   * warp moves the head against the background only by head_scale minus this (the model's own small motion).
   * @defaultValue 0
   */
  headDistance?: number;
}

/** Options with every field resolved. */
export interface ResolvedMeshwarpOptions {
  neutral: Float32Array | null;
  mouthInterior: boolean;
  eyes: boolean;
  headDistance: number;
}

export function resolveOptions(options: MeshwarpOptions | undefined): ResolvedMeshwarpOptions {
  const neutral = options?.neutral;
  if (neutral !== undefined && neutral.length !== 20) {
    throw new RendererError('INVALID_OPTION', `options.neutral must hold 20 channel values, got ${neutral.length}`);
  }
  const range = RENDER_OPTION_RANGES.headDistance;
  const headDistance = options?.headDistance ?? range.default;
  if (!Number.isFinite(headDistance) || headDistance < range.min || headDistance > range.max) {
    throw new RendererError('INVALID_OPTION', `options.headDistance must be between ${range.min} and ${range.max}, got ${headDistance}`);
  }
  return {
    neutral: neutral === undefined ? null : Float32Array.from(neutral),
    mouthInterior: options?.mouthInterior ?? true,
    eyes: options?.eyes ?? true,
    headDistance,
  };
}
