import type { Affine } from './affine.ts';
import type { Box } from './face-detector.ts';

/** Number of landmarks: the 468-point mesh plus 5 iris points per eye. */
export const LANDMARK_COUNT = 478;

/** The face analysis of one portrait. */
export interface FaceAnalysis {
  imageWidth: number;
  imageHeight: number;
  /** Axis-aligned bounds of the 468 mesh points, in image pixels. */
  box: Box;
  /** Face-presence probability (0..1) the mesh model gave the final crop. */
  score: number;
  /**
   * 478 x 3 values: x, y in image pixels (continuous: pixel (i, j) spans [i, i+1) x [j, j+1)), z relative depth
   * in the same pixel scale, more negative = closer to the camera (MediaPipe's convention).
   * 0-467 the face mesh; 468-472 the iris of the subject's right eye (image left): centre, then the boundary
   * points image-right, top, image-left, bottom; 473-477 the same for the subject's left eye.
   */
  landmarks: Float32Array;
  /** The aligned face crop: eyes level, face centred, `toCrop` maps image px to crop px, `toImage` back. */
  crop: { size: 512; toCrop: Affine; toImage: Affine };
}
