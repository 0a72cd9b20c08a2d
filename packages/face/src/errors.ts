/** Stable codes of {@link FaceError}. */
export type FaceErrorCode =
  | 'FACE_NOT_FOUND'
  | 'FACE_INDEX_OUT_OF_RANGE'
  | 'FACE_BOX_INVALID'
  | 'IMAGE_UNREADABLE'
  | 'FACE_MODELS_MISSING'
  | 'FACE_ANALYZER_CLOSED';

/** Every code with what it means; the catalogue test keeps this list and the type in step. */
export const FACE_ERROR_CODES: Readonly<Record<FaceErrorCode, string>> = Object.freeze({
  FACE_NOT_FOUND: 'no face was detected in the portrait, or none inside the box that was passed',
  FACE_INDEX_OUT_OF_RANGE: 'faceIndex names a face beyond the number of faces found',
  FACE_BOX_INVALID: 'faceBox is not a finite box of positive size that overlaps the image',
  IMAGE_UNREADABLE: 'the portrait is not a decodable JPEG, PNG or WebP image',
  FACE_MODELS_MISSING: 'an ONNX file of the face models is missing from the models folder',
  FACE_ANALYZER_CLOSED: 'analyze() was called after close()',
});

/** The one error class of @portrait-farm/face; `code` is stable, `message` names the problem and the fix. */
export class FaceError extends Error {
  override readonly name = 'FaceError';
  readonly code: FaceErrorCode;

  constructor(code: FaceErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** How error messages name the portrait: its file name, or "the portrait" for bytes. */
export function describeSource(source: string | Uint8Array): string {
  if (typeof source !== 'string') return 'the portrait';
  const slash = Math.max(source.lastIndexOf('/'), source.lastIndexOf('\\'));
  return source.slice(slash + 1);
}

export function faceNotFound(source: string, width: number, height: number): FaceError {
  return new FaceError(
    'FACE_NOT_FOUND',
    `No face found in ${source} (${width}x${height}). Pass the face's box with --face-box x,y,width,height ` +
      `(pixels) if the portrait has one the detector misses.`,
  );
}
