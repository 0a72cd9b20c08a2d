import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { RgbImage } from '../prepare.ts';

const fixtures = fileURLToPath(new URL('../../../../test/fixtures/', import.meta.url));

/** A real portrait with its landmarks, for tests and scripts that judge the painted parts. */
export interface PortraitFixture {
  image: RgbImage;
  landmarks: Float32Array;
}

async function decodeRgb(path: string): Promise<RgbImage> {
  const { data, info } = await sharp(readFileSync(path)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** test/fixtures/astronaut.png (512x512 photo) with the face analyser's landmarks from astronaut.landmarks.json. */
export async function astronautPortrait(): Promise<PortraitFixture> {
  const json = JSON.parse(readFileSync(`${fixtures}astronaut.landmarks.json`, 'utf8')) as { landmarks: number[] };
  return { image: await decodeRgb(`${fixtures}astronaut.png`), landmarks: Float32Array.from(json.landmarks) };
}

/**
 * A square face crop like the engine's crop mode (face mesh 42% of the side wide, eye line 42% from the top), axis
 * aligned, resampled with lanczos3 to `size`; the landmarks follow.
 */
export async function faceCrop(portrait: PortraitFixture, size = 512): Promise<PortraitFixture> {
  const lm = portrait.landmarks;
  let minX = Infinity, maxX = -Infinity;
  for (let i = 0; i < 468; i++) {
    minX = Math.min(minX, lm[i * 3]!);
    maxX = Math.max(maxX, lm[i * 3]!);
  }
  const eyeY = (lm[33 * 3 + 1]! + lm[133 * 3 + 1]! + lm[263 * 3 + 1]! + lm[362 * 3 + 1]!) / 4;
  const { width, height } = portrait.image;
  const side = Math.min(width, height, Math.round((maxX - minX) / 0.42));
  const left = Math.max(0, Math.min(width - side, Math.round((minX + maxX) / 2 - side / 2)));
  const top = Math.max(0, Math.min(height - side, Math.round(eyeY - 0.42 * side)));
  const { data } = await sharp(portrait.image.data, { raw: { width, height, channels: 3 } })
    .extract({ left, top, width: side, height: side })
    .resize(size, size, { kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const scale = size / side;
  const landmarks = new Float32Array(lm.length);
  for (let i = 0; i < lm.length / 3; i++) {
    landmarks[i * 3] = (lm[i * 3]! - left) * scale;
    landmarks[i * 3 + 1] = (lm[i * 3 + 1]! - top) * scale;
    landmarks[i * 3 + 2] = lm[i * 3 + 2]! * scale;
  }
  return { image: { width: size, height: size, data: new Uint8Array(data.buffer, data.byteOffset, data.length) }, landmarks };
}

/**
 * An oil-paint version of a portrait, made deterministically: a median filter flattens strokes, a small blur
 * softens them, saturation is raised, tones are posterised softly (half-way to 7 levels per channel) with a warm
 * varnish cast, and a faint diagonal canvas weave is added. The geometry is unchanged, so the photo's landmarks fit.
 * Meant for images where the face is a few hundred pixels wide (a face crop, or the photo enlarged).
 */
export async function paintedPortrait(photo: RgbImage): Promise<RgbImage> {
  const { data, info } = await sharp(photo.data, { raw: { width: photo.width, height: photo.height, channels: 3 } })
    .median(5)
    .blur(0.8)
    .modulate({ saturation: 1.4, brightness: 1.03 })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const out = new Uint8Array(info.width * info.height * 3);
  const step = 255 / 6;
  const varnish = [1.04, 1.0, 0.9];
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < info.width; x++) {
      const weave = ((x + y) % 6 < 3 ? 3 : -3) + ((x - y + 600) % 8 < 4 ? 2 : -2);
      for (let c = 0; c < 3; c++) {
        const o = (y * info.width + x) * 3 + c;
        const v = data[o]!;
        const level = Math.round(v / step) * step;
        out[o] = Math.max(0, Math.min(255, Math.round((0.5 * v + 0.5 * level) * varnish[c]! + weave)));
      }
    }
  }
  return { width: info.width, height: info.height, data: out };
}

/** The painted version of the astronaut's face crop, with the photo's landmarks. */
export async function paintedAstronautCrop(size = 512): Promise<PortraitFixture> {
  const photo = await faceCrop(await astronautPortrait(), size);
  return { image: await paintedPortrait(photo.image), landmarks: photo.landmarks };
}
