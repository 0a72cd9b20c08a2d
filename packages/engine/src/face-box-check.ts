import type { Box } from '@portrait-farm/face';

/**
 * Least face-presence probability of the mesh model on a passed face box below which the render warns: true faces
 * score above 0.99, false detections mostly below 0.5 (the face analyzer's measurements); drawn and painted faces can
 * score low too, so this warns and does not fail.
 */
export const FACE_BOX_MIN_PRESENCE = 0.5;

/** Log lines that start with this are warnings a person should see (the CLI shows them without --verbose). */
export const WARNING_PREFIX = 'warning: ';

/** The warning for a passed face box where the mesh model finds no clear face, or null. */
export function faceBoxWarning(faceBox: Box, presence: number): string | null {
  if (presence >= FACE_BOX_MIN_PRESENCE) return null;
  const box = `${faceBox.x},${faceBox.y},${faceBox.width},${faceBox.height}`;
  return (
    `${WARNING_PREFIX}no clear face in the face box ${box} (face presence ${presence.toFixed(2)}, faces score above ` +
    `${FACE_BOX_MIN_PRESENCE}); the render animates what the box holds. Check the box: x,y,width,height in pixels of the portrait.`
  );
}
