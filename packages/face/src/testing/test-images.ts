// Test-only helpers: portraits made from the committed astronaut fixture with sharp.
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

export const ASTRONAUT = fileURLToPath(new URL('../../../../test/fixtures/astronaut.png', import.meta.url));

/** The astronaut scaled by `scale`, then padded with white (pixels after scaling). */
export async function reframed(scale: number, pad: { left: number; top: number; right: number; bottom: number }): Promise<Buffer> {
  const size = Math.round(512 * scale);
  return sharp(ASTRONAUT)
    .resize(size, size, { kernel: 'lanczos3' })
    .extend({ ...pad, background: '#ffffff' })
    .png()
    .toBuffer();
}

/** The astronaut turned by `degrees` (multiples of 90). */
export async function turned(degrees: number): Promise<Buffer> {
  return sharp(ASTRONAUT).rotate(degrees).png().toBuffer();
}

/** A flat horizontal gradient with no face in it. */
export async function gradient(width: number, height: number): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.fill(Math.round((255 * x) / (width - 1)), (y * width + x) * 3, (y * width + x) * 3 + 3);
  }
  return sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/** A "drawn" astronaut: grey, posterised to four tones, with dark outlines from an edge filter. */
export async function drawing(): Promise<Buffer> {
  const { data, info } = await sharp(ASTRONAUT).greyscale().blur(1.2).raw().toBuffer({ resolveWithObject: true });
  const edges = await sharp(ASTRONAUT)
    .greyscale()
    .blur(1)
    .convolve({ width: 3, height: 3, kernel: [-1, -1, -1, -1, 8, -1, -1, -1, -1] })
    .raw()
    .toBuffer();
  const out = Buffer.alloc(info.width * info.height * 3);
  for (let i = 0; i < info.width * info.height; i++) {
    const tone = Math.min(255, Math.round((data[i] ?? 0) / 64) * 85);
    const ink = (edges[i] ?? 0) > 24 ? 0 : tone;
    out.fill(ink, i * 3, i * 3 + 3);
  }
  return sharp(out, { raw: { width: info.width, height: info.height, channels: 3 } }).png().toBuffer();
}

/** The astronaut shrunk to `size` px in the middle of a large white canvas (a small face in a big photo). */
export async function smallFaceInBigPhoto(size: number, width: number, height: number): Promise<Buffer> {
  const small = await sharp(ASTRONAUT).resize(size, size, { kernel: 'lanczos3' }).png().toBuffer();
  return sharp({ create: { width, height, channels: 3, background: '#ffffff' } })
    .composite([{ input: small, left: Math.round((width - size) / 2), top: Math.round((height - size) / 2) }])
    .png()
    .toBuffer();
}

/** A "painted" astronaut: median-smoothed into flat patches, colours posterised to four levels per channel. */
export async function painting(): Promise<Buffer> {
  const { data, info } = await sharp(ASTRONAUT).median(7).raw().toBuffer({ resolveWithObject: true });
  for (let i = 0; i < data.length; i++) data[i] = Math.min(255, Math.round((data[i] ?? 0) / 85) * 85);
  return sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } }).png().toBuffer();
}

/** Two astronauts side by side on white: the full 512 one at x = `bigX`, a `smallSize` one at x = 40. */
export async function twoFaces(smallSize: number, bigX: number): Promise<Buffer> {
  const small = await sharp(ASTRONAUT).resize(smallSize, smallSize).png().toBuffer();
  return sharp({ create: { width: bigX + 512, height: 600, channels: 3, background: '#ffffff' } })
    .composite([
      { input: small, left: 40, top: 60 },
      { input: ASTRONAUT, left: bigX, top: 40 },
    ])
    .png()
    .toBuffer();
}
