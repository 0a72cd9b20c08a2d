import { decodeImage, type RgbImage } from '@portrait-farm/face';
import type { FaceBox } from '@portrait-farm/contracts';
import { prepareMeshwarp } from '@portrait-farm/renderer';
import type { Engine } from './engine.ts';
import { faceBoxWarning } from './face-box-check.ts';
import type { OutputMode } from './render-options.ts';
import { prepareSourceImage, type SourceImage } from './source-image.ts';

/** The portrait framed for an output mode, and the channel values it shows: what a clip learns from the face. */
export interface PreparedPortrait {
  /** The picture the renderer animates (crop or full framing) with its landmarks. */
  source: SourceImage;
  /** The renderer's estimate of the channel values the portrait itself shows, which motion is fitted to. */
  neutral: Float32Array;
}

/** Which face to animate and how to frame it. */
export interface PortraitChoice {
  faceIndex: number;
  faceBox: FaceBox | null;
  mode: OutputMode;
  /** Where a warning about the face box goes. */
  log: (message: string) => void;
}

/**
 * Decodes the portrait (a path, its bytes, or already decoded), analyses its face with the engine's analyzer,
 * frames it for the mode and takes the renderer's neutral estimate: the face part of the prepare stage, which a
 * prepared avatar stores so that later clips skip it.
 */
export async function preparePortrait(engine: Engine, portrait: string | Uint8Array | RgbImage, choice: PortraitChoice): Promise<PreparedPortrait> {
  const image = typeof portrait === 'string' || portrait instanceof Uint8Array ? await decodeImage(portrait) : portrait;
  const analysis = await engine.face.analyze(image, { faceIndex: choice.faceIndex, ...(choice.faceBox === null ? {} : { faceBox: choice.faceBox }) });
  const warning = choice.faceBox === null ? null : faceBoxWarning(choice.faceBox, analysis.score);
  if (warning !== null) choice.log(warning);
  const source = await prepareSourceImage(image, analysis, choice.mode);
  const { neutral } = prepareMeshwarp({ image: source.image, landmarks: source.landmarks });
  return { source, neutral };
}
