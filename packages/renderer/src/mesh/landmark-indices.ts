/**
 * MediaPipe face-mesh landmark indices used by the renderer. Contours run from the subject's right
 * (image left) to the subject's left unless noted; "R"/"L" are the subject's right/left.
 */
export const MOUTH_CORNER_R = 61;
export const MOUTH_CORNER_L = 291;
export const CHIN = 152;
export const NOSE_TIP = 1;
export const FOREHEAD = 10;

/** Inner lip contour, upper lip, corner to corner. */
export const INNER_UPPER = Object.freeze([78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308]);
/** Inner lip contour, lower lip, corner to corner. */
export const INNER_LOWER = Object.freeze([78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308]);
/** Outer lip contour, upper lip, corner to corner. */
export const OUTER_UPPER = Object.freeze([61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291]);
/** Outer lip contour, lower lip, corner to corner. */
export const OUTER_LOWER = Object.freeze([61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291]);
/** Rings between the inner and outer contours of each lip. */
export const MID_UPPER = Object.freeze([76, 184, 74, 73, 72, 11, 302, 303, 304, 408, 306, 62, 183, 42, 41, 38, 12, 268, 271, 272, 407, 292]);
export const MID_LOWER = Object.freeze([77, 90, 180, 85, 16, 315, 404, 320, 307, 96, 89, 179, 86, 15, 316, 403, 319, 325]);

/** Eye contours: upper lid from outer to inner corner, lower lid from outer to inner corner. */
export const EYE_R_UPPER = Object.freeze([33, 246, 161, 160, 159, 158, 157, 173, 133]);
export const EYE_R_LOWER = Object.freeze([33, 7, 163, 144, 145, 153, 154, 155, 133]);
export const EYE_L_UPPER = Object.freeze([263, 466, 388, 387, 386, 385, 384, 398, 362]);
export const EYE_L_LOWER = Object.freeze([263, 249, 390, 373, 374, 380, 381, 382, 362]);
/** Ring just above each upper lid (lid crease), outer to inner, aligned with the upper lid points. */
export const EYE_R_CREASE = Object.freeze([130, 247, 30, 29, 27, 28, 56, 190, 243]);
export const EYE_L_CREASE = Object.freeze([359, 467, 260, 259, 257, 258, 286, 414, 463]);
/** Second ring above each upper lid. */
export const EYE_R_CREASE2 = Object.freeze([226, 113, 225, 224, 223, 222, 221, 189, 244]);
export const EYE_L_CREASE2 = Object.freeze([446, 342, 445, 444, 443, 442, 441, 413, 464]);

/** Brows, outer to inner: upper row then lower row. */
export const BROW_R = Object.freeze([70, 63, 105, 66, 107, 46, 53, 52, 65, 55]);
export const BROW_L = Object.freeze([300, 293, 334, 296, 336, 276, 283, 282, 295, 285]);

/** Iris centre and boundary points as MediaPipe orders them (which eye each block belongs to is checked at runtime). */
export const IRIS_A = Object.freeze([468, 469, 470, 471, 472]);
export const IRIS_B = Object.freeze([473, 474, 475, 476, 477]);

/** Face silhouette, a closed loop starting at the forehead top and going towards the subject's left (image right). */
export const FACE_OVAL = Object.freeze([
  10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136,
  172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
]);

/** Cheek points lifted by a smile (both sides). */
export const CHEEKS = Object.freeze([50, 101, 36, 205, 187, 123, 117, 118, 280, 330, 266, 425, 411, 352, 346, 347]);
