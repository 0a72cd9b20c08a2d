import { CROP_FACE_WIDTH, CROP_SIZE } from './crop-transform.ts';
import { FaceError } from './errors.ts';
import type { Box } from './face-detector.ts';

// Which face of a portrait is animated, and whether it can be: one rule for the gateway (at create, before anything
// is stored or queued) and the engine (the worker's prepare step and `portrait-farm render`), so the two cannot drift.
//
// - No face: FACE_NOT_FOUND, naming faceBox (for a face the detector misses).
// - faceIndex given: that face, counted from the largest (0); beyond the faces found: FACE_INDEX_OUT_OF_RANGE.
// - Several faces and no faceIndex: the largest is taken only when it clearly dominates, its box's area at least
//   DOMINANT_AREA_RATIO times the next largest's (a subject with people in the background). Otherwise
//   FACE_AMBIGUOUS lists the faces found (box and size) and asks for faceIndex or faceBox.
// - The face chosen (or the faceBox passed) narrower than MIN_FACE_WIDTH pixels: FACE_TOO_SMALL.
// - faceBox passed: the detector is skipped (it is there for faces the detector misses); only the size rule applies.

/** A face the detector found (and the mesh model confirmed), in image pixels. */
export interface FoundFace {
  box: Box;
  /** The detector's probability. */
  score: number;
}

/**
 * Narrowest face animated, in image pixels (the detector's box, about brow to chin). The crop framing draws the face
 * CROP_FACE_WIDTH x CROP_SIZE (215) pixels wide: a face under 48 pixels would be enlarged more than 4.5 times, its mouth
 * under 20 pixels across, and its landmarks (from a 192 px mesh input) too coarse to follow lip motion. (The test
 * portrait's face is 100 pixels wide at 512x512, 50 at 256x256.)
 */
export const MIN_FACE_WIDTH = 48;

/** The largest face is chosen without faceIndex only when its area is at least this many times the next one's. */
export const DOMINANT_AREA_RATIO = 2;

/** How messages name the two options that choose a face. */
export interface FaceOptionNames {
  faceIndex: string;
  faceBox: string;
}

/** Both spellings: the engine serves the API (through the worker) and the CLI. */
export const FACE_OPTION_NAMES: FaceOptionNames = Object.freeze({
  faceIndex: 'options.faceIndex in the API, --face-index in the CLI',
  faceBox: 'options.faceBox {x, y, width, height} in the API, --face-box x,y,width,height in the CLI',
});

/** The API's spelling, for the gateway's answers. */
export const API_FACE_OPTION_NAMES: FaceOptionNames = Object.freeze({
  faceIndex: 'options.faceIndex',
  faceBox: 'options.faceBox {x, y, width, height}',
});

/** The portrait as messages name it, with its size. */
export interface PortraitFacts {
  name: string;
  width: number;
  height: number;
}

export function boxArea(box: Box): number {
  return Math.max(0, box.width) * Math.max(0, box.height);
}

const px = (value: number): number => Math.round(value);

/** `#0: 212x230 px at x 460, y 70` for each face, largest first. */
export function describeFaces(faces: readonly FoundFace[]): string {
  return faces.map((f, i) => `#${i}: ${px(f.box.width)}x${px(f.box.height)} px at x ${px(f.box.x)}, y ${px(f.box.y)}`).join('; ');
}

export function faceNotFound(portrait: PortraitFacts, names: FaceOptionNames = FACE_OPTION_NAMES): FaceError {
  return new FaceError(
    'FACE_NOT_FOUND',
    `No face found in ${portrait.name} (${portrait.width}x${portrait.height}). If the portrait has one the detector misses, ` +
      `pass its box in pixels: ${names.faceBox}.`,
  );
}

function tooSmall(what: string, box: Box): FaceError {
  return new FaceError(
    'FACE_TOO_SMALL',
    `${what} is ${px(box.width)}x${px(box.height)} pixels; a face must be at least ${MIN_FACE_WIDTH} pixels wide to be animated ` +
      `(the video draws it ${Math.round(CROP_FACE_WIDTH * CROP_SIZE)} pixels wide). Send a larger portrait, or one cropped closer to the face.`,
  );
}

/** The size rule for a passed faceBox (the detector is skipped then). */
export function checkFaceBoxSize(box: Box, names: FaceOptionNames = FACE_OPTION_NAMES): void {
  if (box.width < MIN_FACE_WIDTH) throw tooSmall(`The face box passed (${names.faceBox})`, box);
}

/**
 * The face to animate among `faces` (any order), by the rules above; throws FaceError (FACE_NOT_FOUND,
 * FACE_INDEX_OUT_OF_RANGE, FACE_AMBIGUOUS, FACE_TOO_SMALL) with a message that names the fix.
 */
export function chooseFace<F extends FoundFace>(
  faces: readonly F[],
  options: { faceIndex?: number | undefined },
  portrait: PortraitFacts,
  names: FaceOptionNames = FACE_OPTION_NAMES,
): { face: F; index: number } {
  const sorted = [...faces].sort((p, q) => boxArea(q.box) - boxArea(p.box));
  const { faceIndex } = options;
  if (faceIndex !== undefined && (!Number.isInteger(faceIndex) || faceIndex < 0)) {
    throw new FaceError('FACE_INDEX_OUT_OF_RANGE', `faceIndex must be a whole number from 0. Passed: ${faceIndex}`);
  }
  const [largest, next] = sorted;
  if (largest === undefined) throw faceNotFound(portrait, names);
  const count = `${sorted.length} face${sorted.length === 1 ? '' : 's'}`;
  if (faceIndex !== undefined && faceIndex >= sorted.length) {
    throw new FaceError(
      'FACE_INDEX_OUT_OF_RANGE',
      `faceIndex ${faceIndex} is out of range: ${count} found in ${portrait.name} (${describeFaces(sorted)}), so faceIndex must be ` +
        `between 0 and ${sorted.length - 1} (0 = largest).`,
    );
  }
  if (faceIndex === undefined && next !== undefined && boxArea(largest.box) < DOMINANT_AREA_RATIO * boxArea(next.box)) {
    throw new FaceError(
      'FACE_AMBIGUOUS',
      `${count} of similar size found in ${portrait.name} (${portrait.width}x${portrait.height}), largest first: ${describeFaces(sorted)}. ` +
        `Choose the face to animate with ${names.faceIndex} (0 = largest), or pass its box: ${names.faceBox}. ` +
        `(Without a choice the largest face is taken only when its area is at least ${DOMINANT_AREA_RATIO}x the next one's.)`,
    );
  }
  const index = faceIndex ?? 0;
  const face = sorted[index] as F;
  if (face.box.width < MIN_FACE_WIDTH) {
    throw tooSmall(sorted.length === 1 ? `The face in ${portrait.name}` : `Face #${index} in ${portrait.name}`, face.box);
  }
  return { face, index };
}
