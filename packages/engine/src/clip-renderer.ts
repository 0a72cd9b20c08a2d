import { prepareMeshwarp, type PreparedMeshwarp } from '@portrait-farm/renderer';
import type { PreparedClip } from './prepared-clip.ts';

/**
 * The renderer's data for a clip: its portrait, with the clip's head distance (already added to every frame's
 * head_scale by the controls) shown as a camera zoom of the whole frame rather than a warp of the head. Every
 * process that renders a clip's frames (renderClip, the farm's workers) prepares it here, so their frames agree.
 */
export function prepareClipRenderer(clip: PreparedClip): PreparedMeshwarp {
  return prepareMeshwarp({
    image: clip.source.image,
    landmarks: clip.source.landmarks,
    options: { headDistance: clip.motion.controls.headDistance ?? 0 },
  });
}
