import type { FaceAnalyzer } from '@portrait-farm/face';
import { checkPortraitFace } from './face-check.ts';
import type { FaceChoiceOptions } from './face-check.ts';
import { checkAudio, checkFaceBox, checkImage } from './media-checks.ts';
import type { AudioFacts, ImageFacts } from './media-checks.ts';

/** What one create asks the checks about: the spooled inputs and the limits and options that apply. */
export interface InputCheckRequest {
  imagePath: string;
  audioPath: string;
  maxImagePixels: number;
  maxAudioSeconds: number;
  /** Check the portrait's face (the configuration's faceCheck). */
  faceCheck: boolean;
  options: FaceChoiceOptions;
}

export interface InputFacts {
  image: ImageFacts;
  audio: AudioFacts;
}

/**
 * Every check at create (media-checks, face-check): the image decoded once, its faceBox and face checked, while the
 * audio is probed and decoded. Throws the first GatewayError.
 */
export async function checkInputs(request: InputCheckRequest, faces: FaceAnalyzer | null): Promise<InputFacts> {
  const face = request.faceCheck ? faces : null;
  if (request.faceCheck && face === null) throw new Error('The face check is on but the input checks have no face models.');
  const [image, audio] = await Promise.all([
    checkImage(request.imagePath, request.maxImagePixels, face !== null).then(async ({ rgb, ...facts }) => {
      checkFaceBox(request.options.faceBox, facts);
      if (face !== null && rgb !== null) await checkPortraitFace(face, rgb, request.options);
      return facts;
    }),
    checkAudio(request.audioPath, request.maxAudioSeconds),
  ]);
  return { image, audio };
}
