import type { ModelSession } from '@portrait-farm/model-runtime';
import { LEFT_EYE_CORNERS, RIGHT_EYE_CORNERS, regionFromEyeCorners } from './face-regions.ts';
import type { ImagePyramid } from './image-pyramid.ts';
import { EYE_REGION_POINTS, IRIS_POINTS, MESH_POINTS, runIris } from './landmark-models.ts';

/**
 * Mesh index of each of the iris model's 71 eye-region points, subject's right eye (image left): lower lid
 * (corner to corner), upper lid, then rings around the eye and the brow (the mesh's own numbering).
 */
const RIGHT_EYE_REGION = [
  33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173, 130, 25, 110, 24, 23, 22, 26, 112,
  243, 247, 30, 29, 27, 28, 56, 190, 226, 31, 228, 229, 230, 231, 232, 233, 244, 113, 225, 224, 223, 222, 221, 189,
  35, 124, 46, 53, 52, 65, 143, 111, 117, 118, 119, 120, 121, 128, 245, 156, 70, 63, 105, 66, 107, 55, 193,
];
/** The same for the subject's left eye (image right), seen mirrored by the model. */
const LEFT_EYE_REGION = [
  263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398, 359, 255, 339, 254, 253, 252, 256,
  341, 463, 467, 260, 259, 257, 258, 286, 414, 446, 261, 448, 449, 450, 451, 452, 453, 464, 342, 445, 444, 443, 442,
  441, 413, 265, 353, 276, 283, 282, 295, 372, 340, 346, 347, 348, 349, 350, 357, 465, 383, 300, 293, 334, 296, 336,
  285, 417,
];
/** The eyelid contour: the first 16 eye-region points. */
const EYELID_POINTS = 16;

/**
 * Runs the iris model on both eyes. Landmarks 468-477 get the irises (centre, then image-right, top, image-left,
 * bottom); the mesh's eyelids, eye rings and brows (71 points per eye) move to the iris model's finer estimate.
 * The iris model's depths are shifted onto the mesh's depth origin; the iris points take their eyelids' mean depth.
 */
export async function refineEyes(session: ModelSession, image: ImagePyramid, landmarks: Float32Array): Promise<void> {
  const eyes = [
    { corners: RIGHT_EYE_CORNERS, indices: RIGHT_EYE_REGION, mirror: false, first: MESH_POINTS },
    { corners: LEFT_EYE_CORNERS, indices: LEFT_EYE_REGION, mirror: true, first: MESH_POINTS + IRIS_POINTS },
  ];
  const passes = await Promise.all(
    eyes.map((eye) => runIris(session, image, regionFromEyeCorners(landmarks, eye.corners), eye.mirror)),
  );
  eyes.forEach((eye, e) => {
    const pass = passes[e];
    if (pass === undefined) return;
    let depthShift = 0;
    eye.indices.forEach((mesh, k) => {
      depthShift += (landmarks[mesh * 3 + 2] ?? 0) - (pass.region[k * 3 + 2] ?? 0);
    });
    depthShift /= EYE_REGION_POINTS;
    let lidDepth = 0;
    eye.indices.forEach((mesh, k) => {
      landmarks[mesh * 3] = pass.region[k * 3] ?? 0;
      landmarks[mesh * 3 + 1] = pass.region[k * 3 + 1] ?? 0;
      landmarks[mesh * 3 + 2] = (pass.region[k * 3 + 2] ?? 0) + depthShift;
      if (k < EYELID_POINTS) lidDepth += landmarks[mesh * 3 + 2] ?? 0;
    });
    lidDepth /= EYELID_POINTS;
    // Mirroring swaps the iris's image-left and image-right boundary points.
    const order = eye.mirror ? [0, 3, 2, 1, 4] : [0, 1, 2, 3, 4];
    order.forEach((source, k) => {
      const o = (eye.first + k) * 3;
      landmarks[o] = pass.iris[source * 3] ?? 0;
      landmarks[o + 1] = pass.iris[source * 3 + 1] ?? 0;
      landmarks[o + 2] = lidDepth;
    });
  });
}
