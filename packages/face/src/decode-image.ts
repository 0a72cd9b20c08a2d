import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { describeSource, FaceError } from './errors.ts';

/** An 8-bit RGB image, rows top to bottom, 3 bytes per pixel, no padding. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

const ACCEPTED_FORMATS = new Set(['jpeg', 'png', 'webp']);
const ACCEPTED_TEXT = 'JPEG, PNG or WebP';

function unreadable(name: string, why: string, cause?: unknown): FaceError {
  return new FaceError('IMAGE_UNREADABLE', `Cannot read ${name}: ${why}. Portraits must be ${ACCEPTED_TEXT} images.`, {
    cause,
  });
}

/** Options of {@link decodeImage}. */
export interface DecodeImageOptions {
  /**
   * Most pixels decoded (sharp's limitInputPixels); a larger image is IMAGE_UNREADABLE.
   * @defaultValue sharp's default (16383 x 16383)
   */
  maxPixels?: number;
}

/**
 * Decodes a JPEG, PNG or WebP portrait (a path or the file's bytes) to RGB, failing on the first decoder warning
 * (a truncated or damaged file). The EXIF orientation is applied; transparent pixels are composited onto white.
 */
export async function decodeImage(source: string | Uint8Array, options: DecodeImageOptions = {}): Promise<RgbImage> {
  const name = describeSource(source);
  let bytes: Uint8Array;
  try {
    bytes = typeof source === 'string' ? await readFile(source) : source;
  } catch (error) {
    throw unreadable(name, (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error), error);
  }
  let format: string | undefined;
  try {
    format = (await sharp(bytes).metadata()).format;
  } catch (error) {
    throw unreadable(name, 'not an image sharp can decode', error);
  }
  if (format === undefined || !ACCEPTED_FORMATS.has(format)) {
    throw unreadable(name, `its format is ${format ?? 'unknown'}`);
  }
  try {
    const { data, info } = await sharp(bytes, { failOn: 'warning', ...(options.maxPixels === undefined ? {} : { limitInputPixels: options.maxPixels }) })
      .rotate()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: toRgb(data, info.channels, info.width * info.height) };
  } catch (error) {
    throw unreadable(name, `the ${format.toUpperCase()} data is damaged`, error);
  }
}

function toRgb(data: Uint8Array, channels: number, pixels: number): Uint8Array {
  if (channels === 3) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const rgb = new Uint8Array(pixels * 3);
  for (let i = 0; i < pixels; i++) {
    for (let c = 0; c < 3; c++) rgb[i * 3 + c] = data[i * channels + Math.min(c, channels - 1)] ?? 0;
  }
  return rgb;
}
