import { CHANNEL } from '@portrait-farm/contracts/constants';
import { GAZE_SHIFT } from '../deform/neutral-estimate.ts';
import type { FrameGeometry } from '../frame-geometry.ts';
import { buildContourProfile } from '../geometry/contour-profile.ts';
import { INNER_LOWER, INNER_UPPER } from '../mesh/landmark-indices.ts';
import type { PreparedMeshwarp } from '../prepared.ts';
import { paintEyeball, paintLashLine } from './eyes.ts';
import { paintMouthInterior } from './mouth-interior.ts';
import { sourceTeethDepth } from './source-teeth.ts';

/**
 * The paint layers of a frame, drawn over the warped frame from its geometry: the same calls for the CPU renderer
 * and the warp graph's frame plan. Each call paints nothing where the portrait does not ask for that layer.
 */
export interface FramePainter {
  /** Whether the eyeballs are painted this frame (the gaze moved off the source's); then by `paintEyeball`. */
  eyeballsMove(geometry: FrameGeometry): boolean;
  /** Paints eye `eyeIndex`'s eyeball, shifted by the gaze, inside the eye opening with the lids held open. */
  paintEyeball(geometry: FrameGeometry, out: Uint8Array, eyeIndex: number): void;
  /** Paints the lash lines of closing lids. */
  paintLashLines(geometry: FrameGeometry, out: Uint8Array): void;
  paintMouthInterior(geometry: FrameGeometry, out: Uint8Array): void;
}

export function createFramePainter(p: PreparedMeshwarp): FramePainter {
  const { width, height } = p;
  const mouthProfile = buildContourProfile(p.rest, INNER_UPPER, INNER_LOWER);
  const eyeProfiles = p.eyes.map((eye) => buildContourProfile(p.rest, eye.upper, eye.lower));
  const eyeWidths = eyeProfiles.map((profile) => profile.length);
  const columnMap = new Float32Array(4096);
  const teethDepth = sourceTeethDepth(p.image, width, height, mouthProfile, p.colours.teeth);

  return {
    eyeballsMove({ motion }: FrameGeometry): boolean {
      const gx = motion[CHANNEL.gaze_x]! - p.neutral[CHANNEL.gaze_x]!;
      const gy = motion[CHANNEL.gaze_y]! - p.neutral[CHANNEL.gaze_y]!;
      // Both magnitudes every frame: V8 compiles a call it has never seen made (the second, while the first gaze
      // component alone decided) as a bail-out, and renderFrame, which inlines this, was compiled again for it.
      return p.paintEyes && Math.max(Math.abs(gx), Math.abs(gy)) > 1e-4;
    },

    paintEyeball({ motion, openPos }: FrameGeometry, out: Uint8Array, eyeIndex: number): void {
      const f = p.frame;
      const eye = p.eyes[eyeIndex]!;
      const gx = motion[CHANNEL.gaze_x]! - p.neutral[CHANNEL.gaze_x]!;
      const gy = motion[CHANNEL.gaze_y]! - p.neutral[CHANNEL.gaze_y]!;
      const unit = GAZE_SHIFT * eyeWidths[eyeIndex]!;
      paintEyeball({
        width, height, source: p.image, out, rest: p.rest, pos: openPos, eye, colours: eye.colours, sourceProfile: eyeProfiles[eyeIndex]!,
        shiftX: (gx * f.exX + gy * f.eyX) * unit,
        shiftY: (gx * f.exY + gy * f.eyY) * unit,
      });
    },

    paintLashLines({ motion, pos, closing }: FrameGeometry, out: Uint8Array): void {
      if (!p.paintEyes || !closing) return;
      for (const eye of p.eyes) {
        const b = motion[eye.blinkChannel]!;
        const b0 = p.neutral[eye.blinkChannel]!;
        const closure = b > b0 ? Math.min(1, (b - b0) / Math.max(1e-3, 1 - b0)) : 0;
        paintLashLine({ width, height, out, pos, eye, closure });
      }
    },

    paintMouthInterior({ pos, verticalScale }: FrameGeometry, out: Uint8Array): void {
      if (!p.mouthInterior) return;
      paintMouthInterior({
        width, height, source: p.image, out, rest: p.rest, pos, sourceProfile: mouthProfile, colours: p.colours, mouthWidth: p.frame.mouthWidth,
        verticalScale, columnMap, teethDepth,
      });
    },
  };
}
