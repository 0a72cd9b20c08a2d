import sharp from 'sharp';
import { affineScale, composeAffine, type Affine } from './affine.ts';
import type { RgbImage } from './decode-image.ts';
import { sampleTensor, type SampleOptions } from './image-sampling.ts';

/**
 * The portrait with lazily made half, quarter, ... size copies (sharp, area-filtered, off the event loop).
 * A crop that shrinks the image by `s` samples the copy shrunk by the largest power of two not above `s`,
 * so the bilinear supersampling left to do stays small whatever the portrait's resolution.
 */
export class ImagePyramid {
  private readonly levels = new Map<number, Promise<RgbImage>>();

  constructor(readonly image: RgbImage) {
    this.levels.set(0, Promise.resolve(image));
  }

  /** Samples a crop (`toImage` in full-resolution image coordinates) from the most suitable level. */
  async sample(options: SampleOptions): Promise<Float32Array> {
    const level = Math.max(0, Math.floor(Math.log2(affineScale(options.toImage) + 1e-9)));
    const reduced = await this.level(level);
    const toLevel: Affine = [reduced.width / this.image.width, 0, 0, 0, reduced.height / this.image.height, 0];
    return sampleTensor(reduced, { ...options, toImage: composeAffine(toLevel, options.toImage) });
  }

  private level(level: number): Promise<RgbImage> {
    const factor = 2 ** level;
    const width = Math.max(1, Math.round(this.image.width / factor));
    const height = Math.max(1, Math.round(this.image.height / factor));
    if (width < 8 || height < 8) return this.level(level - 1);
    let reduced = this.levels.get(level);
    if (reduced === undefined) {
      const { data, width: w, height: h } = this.image;
      reduced = sharp(data, { raw: { width: w, height: h, channels: 3 } })
        .resize(width, height, { fit: 'fill' })
        .raw()
        .toBuffer({ resolveWithObject: true })
        .then(({ data: pixels, info }) => ({ width: info.width, height: info.height, data: new Uint8Array(pixels) }));
      this.levels.set(level, reduced);
    }
    return reduced;
  }
}
