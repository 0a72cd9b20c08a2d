import { invertAffine } from './affine.ts';
import type { RgbImage } from './decode-image.ts';
import type { FaceAnalysis } from './face-analysis.ts';
import { sampleTensor, type BorderMode } from './image-sampling.ts';

/** Options of {@link warpToCrop}. */
export interface WarpOptions {
  /**
   * What the crop shows where it reaches past the image.
   * @defaultValue 'replicate' (the nearest edge pixel)
   */
  border?: BorderMode;
}

/** The analysis's aligned face crop: `analysis.crop.size` square RGB, resampled bilinearly. */
export function warpToCrop(image: RgbImage, analysis: FaceAnalysis, options: WarpOptions = {}): RgbImage {
  if (image.width !== analysis.imageWidth || image.height !== analysis.imageHeight) {
    throw new RangeError(
      `warpToCrop: the image is ${image.width}x${image.height} but the analysis was made on ` +
        `${analysis.imageWidth}x${analysis.imageHeight}.`,
    );
  }
  const size = analysis.crop.size;
  const toImage = invertAffine(analysis.crop.toCrop);
  const values = sampleTensor(image, { size, toImage, range: [0, 255], border: options.border ?? 'replicate' });
  const data = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = Math.round(values[i] ?? 0);
  return { width: size, height: size, data };
}
