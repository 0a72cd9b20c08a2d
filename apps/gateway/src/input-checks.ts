import type { FaceAnalyzer } from '@portrait-farm/face';
import { checkPortraitFace } from './face-check.ts';
import type { FaceChoiceOptions } from './face-check.ts';
import { checkAudio, checkFaceBox, checkImage } from './media-checks.ts';
import type { AudioFacts, FaceBox, ImageFacts } from './media-checks.ts';

/** What one create asks the checks about: the spooled inputs (null: none of that kind) and the limits and options that apply. */
export interface InputCheckRequest {
  /** The portrait; null for a job made from an avatar (checked when the avatar was made). */
  imagePath: string | null;
  /** The audio; null for an avatar. */
  audioPath: string | null;
  maxImagePixels: number;
  maxAudioSeconds: number;
  /** Check the portrait's face (the configuration's faceCheck). */
  faceCheck: boolean;
  options: FaceChoiceOptions;
}

/** The image's facts, and the box of the face the worker would animate (null when faces are not checked). */
export interface CheckedImage extends ImageFacts {
  face: FaceBox | null;
}

export interface InputFacts {
  image: CheckedImage | null;
  audio: AudioFacts | null;
}

/**
 * Every check at create (media-checks, face-check): the image decoded once, its faceBox and face checked, while the
 * audio is probed and decoded. Throws the first GatewayError.
 */
export async function checkInputs(request: InputCheckRequest, faces: FaceAnalyzer | null): Promise<InputFacts> {
  const face = request.faceCheck ? faces : null;
  if (request.faceCheck && face === null) throw new Error('The face check is on but the input checks have no face models.');
  const { imagePath, audioPath } = request;
  const [image, audio] = await Promise.all([
    imagePath === null ? null : checkImage(imagePath, request.maxImagePixels, face !== null).then(async ({ rgb, ...facts }): Promise<CheckedImage> => {
      checkFaceBox(request.options.faceBox, facts);
      const found = face !== null && rgb !== null ? await checkPortraitFace(face, rgb, request.options) : null;
      return { ...facts, face: found };
    }),
    audioPath === null ? null : checkAudio(audioPath, request.maxAudioSeconds),
  ]);
  return { image, audio };
}
