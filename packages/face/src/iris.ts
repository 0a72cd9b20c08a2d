import type { ModelSession } from '@portrait-farm/model-runtime';
import type { ImagePyramid } from './image-pyramid.ts';
import { LEFT_EYE_CORNERS, RIGHT_EYE_CORNERS, regionFromEyeCorners } from './face-regions.ts';
import { IRIS_POINTS, MESH_POINTS, runIris } from './landmark-models.ts';

/** Mesh indices of each eye's 16-point contour (subject's right eye = image left). */
const RIGHT_EYE_CONTOUR = [33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246];
const LEFT_EYE_CONTOUR = [263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466];

/**
 * Fills landmarks 468-477 (5 iris points per eye) from the iris model run on each eye's crop. The iris
 * points take the mean depth of their eye's contour, as MediaPipe does.
 */
export async function addIrises(session: ModelSession, image: ImagePyramid, landmarks: Float32Array): Promise<void> {
  const eyes = [
    { corners: RIGHT_EYE_CORNERS, contour: RIGHT_EYE_CONTOUR, mirror: false, first: MESH_POINTS },
    { corners: LEFT_EYE_CORNERS, contour: LEFT_EYE_CONTOUR, mirror: true, first: MESH_POINTS + IRIS_POINTS },
  ];
  const irises = await Promise.all(
    eyes.map((eye) => runIris(session, image, regionFromEyeCorners(landmarks, eye.corners), eye.mirror)),
  );
  eyes.forEach((eye, e) => {
    const iris = irises[e] ?? new Float32Array(IRIS_POINTS * 3);
    const z = eye.contour.reduce((sum, i) => sum + (landmarks[i * 3 + 2] ?? 0), 0) / eye.contour.length;
    // Boundary points go image-right, top, image-left, bottom; mirroring swaps the sideways pair.
    const order = eye.mirror ? [0, 3, 2, 1, 4] : [0, 1, 2, 3, 4];
    order.forEach((source, k) => {
      const o = (eye.first + k) * 3;
      landmarks[o] = iris[source * 3] ?? 0;
      landmarks[o + 1] = iris[source * 3 + 1] ?? 0;
      landmarks[o + 2] = z;
    });
  });
}
