import { API_FACE_OPTION_NAMES, createFaceAnalyzer, isFaceError, MIN_FACE_WIDTH } from '@portrait-farm/face';
import type { FaceAnalyzer, FaceErrorCode, RgbImage } from '@portrait-farm/face';
import { loadModelPack } from '@portrait-farm/model-pack';
import { GatewayError } from './errors.ts';
import type { GatewayErrorCode } from './errors.ts';
import type { FaceBox } from './media-checks.ts';

// The face check at create: the engine's own analyzer and rules (@portrait-farm/face chooseFace), so the gateway
// refuses exactly what the worker's prepare step would fail on. It runs in the input-check thread
// (input-check-thread.ts), which samples the detector and mesh inputs; inference runs in the analyzer's model threads.

/**
 * Opens the face analyzer of the pack's face models on the CPU (a gateway has no GPU to spare; the detector and
 * mesh models are small). Only the pack's manifest is read: the files' hashes and the denoiser are the workers' concern.
 */
export async function openFaceAnalyzer(packDir: string): Promise<FaceAnalyzer> {
  const pack = await loadModelPack(packDir, { verifyHashes: false, verifySignature: false });
  return createFaceAnalyzer({ modelFiles: pack.face ?? {}, providers: ['cpu'] });
}

const GATEWAY_CODES: Partial<Record<FaceErrorCode, GatewayErrorCode>> = {
  FACE_NOT_FOUND: 'GATEWAY_FACE_NOT_FOUND',
  FACE_AMBIGUOUS: 'GATEWAY_FACE_AMBIGUOUS',
  FACE_INDEX_OUT_OF_RANGE: 'GATEWAY_FACE_INDEX_OUT_OF_RANGE',
  FACE_TOO_SMALL: 'GATEWAY_FACE_TOO_SMALL',
  FACE_BOX_INVALID: 'GATEWAY_BAD_OPTION',
  IMAGE_UNREADABLE: 'GATEWAY_BAD_IMAGE',
};

export interface FaceChoiceOptions {
  faceIndex?: number | undefined;
  faceBox?: FaceBox | undefined;
}

/**
 * Refuses an image whose face the worker could not animate (no face, several of similar size without a choice,
 * faceIndex beyond the faces, a face under {@link MIN_FACE_WIDTH} pixels), as a 422 naming the API's options.
 * `image` is the portrait decoded once by media-checks (checkImage's `rgb`). Returns the face's box in whole pixels.
 */
export async function checkPortraitFace(faces: FaceAnalyzer, image: RgbImage, options: FaceChoiceOptions): Promise<FaceBox> {
  const choice = {
    ...(options.faceIndex === undefined ? {} : { faceIndex: options.faceIndex }),
    ...(options.faceBox === undefined ? {} : { faceBox: options.faceBox }),
  };
  try {
    const { box } = await faces.checkFace(image, choice, { portraitName: 'the image', names: API_FACE_OPTION_NAMES });
    // Whole pixels, inside the image: what the API reports of the face.
    const x = Math.max(0, Math.round(box.x));
    const y = Math.max(0, Math.round(box.y));
    return { x, y, width: Math.min(image.width, Math.round(box.x + box.width)) - x, height: Math.min(image.height, Math.round(box.y + box.height)) - y };
  } catch (error) {
    const code = isFaceError(error) ? GATEWAY_CODES[error.code] : undefined;
    if (code === undefined || !isFaceError(error)) throw error;
    throw new GatewayError(code, error.message);
  }
}
