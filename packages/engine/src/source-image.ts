import sharp from 'sharp';
import { applyAffine, warpToCrop, type FaceAnalysis, type RgbImage } from '@portrait-farm/face';
import { fitFull } from '@portrait-farm/renderer';
import type { OutputMode } from './render-options.ts';

/** The picture the renderer animates, and the landmarks in its pixels. */
export interface SourceImage {
  image: RgbImage;
  landmarks: Float32Array;
}

/**
 * 'crop': the 512x512 aligned face crop. 'full': the whole portrait, long side capped at 1920 and both sides even,
 * resized with a high-quality filter once (the renderer then samples it per frame).
 */
export async function prepareSourceImage(image: RgbImage, analysis: FaceAnalysis, mode: OutputMode): Promise<SourceImage> {
  const count = analysis.landmarks.length / 3;
  const landmarks = new Float32Array(analysis.landmarks.length);
  if (mode === 'crop') {
    const toCrop = analysis.crop.toCrop;
    const scale = Math.hypot(toCrop[0], toCrop[3]);
    for (let i = 0; i < count; i++) {
      const [x, y] = applyAffine(toCrop, analysis.landmarks[i * 3]!, analysis.landmarks[i * 3 + 1]!);
      landmarks[i * 3] = x;
      landmarks[i * 3 + 1] = y;
      landmarks[i * 3 + 2] = analysis.landmarks[i * 3 + 2]! * scale;
    }
    return { image: warpToCrop(image, analysis), landmarks };
  }
  const size = fitFull(image.width, image.height);
  const sx = size.width / image.width;
  const sy = size.height / image.height;
  for (let i = 0; i < count; i++) {
    landmarks[i * 3] = analysis.landmarks[i * 3]! * sx;
    landmarks[i * 3 + 1] = analysis.landmarks[i * 3 + 1]! * sy;
    landmarks[i * 3 + 2] = analysis.landmarks[i * 3 + 2]! * Math.sqrt(sx * sy);
  }
  if (size.width === image.width && size.height === image.height) return { image, landmarks };
  const resized = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(size.width, size.height, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  return { image: { width: size.width, height: size.height, data: new Uint8Array(resized.buffer, resized.byteOffset, resized.length) }, landmarks };
}
