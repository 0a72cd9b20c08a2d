import { catalogueErrorClass, defineErrorCatalogue, errorGuard } from '@portrait-farm/contracts/error-catalogue';
import type { ErrorCode } from '@portrait-farm/contracts/error-catalogue';

/** Error catalogue of @portrait-farm/face: stable codes, whether a retry may help, what each means. */
export const FACE_ERRORS = defineErrorCatalogue({
  FACE_NOT_FOUND: { retryable: false, description: 'no face was detected in the portrait, or none inside the box that was passed' },
  FACE_AMBIGUOUS: {
    retryable: false,
    description: 'several faces of similar size were found and neither faceIndex nor faceBox says which one to animate',
  },
  FACE_TOO_SMALL: { retryable: false, description: 'the face (found, or the faceBox passed) is narrower than the smallest face that can be animated' },
  FACE_INDEX_OUT_OF_RANGE: { retryable: false, description: 'faceIndex names a face beyond the number of faces found' },
  FACE_BOX_INVALID: { retryable: false, description: 'faceBox is not a finite box of positive size that overlaps the image' },
  IMAGE_UNREADABLE: { retryable: false, description: 'the portrait is not a decodable JPEG, PNG or WebP image' },
  FACE_MODELS_MISSING: { retryable: false, description: 'an ONNX file of the face models is missing from the models folder' },
  FACE_ANALYZER_CLOSED: {
    retryable: true,
    description: 'analyze() was called after close() (in a farm: the process was stopping; another process may do it)',
  },
});

export type FaceErrorCode = ErrorCode<typeof FACE_ERRORS>;

/** The one error class of @portrait-farm/face; `code` is stable, `message` names the problem and the fix. */
export class FaceError extends catalogueErrorClass('FaceError', FACE_ERRORS) {}

/** True when `error` is a FaceError, optionally with the given code. */
export const isFaceError = errorGuard(FaceError);

/** How error messages name the portrait: its file name, or "the portrait" for bytes. */
export function describeSource(source: string | Uint8Array): string {
  if (typeof source !== 'string') return 'the portrait';
  const slash = Math.max(source.lastIndexOf('/'), source.lastIndexOf('\\'));
  return source.slice(slash + 1);
}
