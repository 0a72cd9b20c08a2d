import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from './decode-image.ts';
import { FaceError } from './errors.ts';

describe('decodeImage', () => {
  it('applies the EXIF orientation', async () => {
    // 4x2 image, left half red, right half blue, stored with orientation 6 (display rotated 90 degrees clockwise).
    const data = Buffer.alloc(4 * 2 * 3);
    for (let i = 0; i < 8; i++) data.set(i % 4 < 2 ? [255, 0, 0] : [0, 0, 255], i * 3);
    const jpeg = await sharp(data, { raw: { width: 4, height: 2, channels: 3 } }).jpeg({ quality: 100 }).withMetadata({ orientation: 6 }).toBuffer();
    const image = await decodeImage(jpeg);
    expect([image.width, image.height]).toEqual([2, 4]);
    // After turning clockwise the red half is on top.
    expect(image.data[0]).toBeGreaterThan(200);
    expect(image.data[(3 * 2) * 3 + 2]).toBeGreaterThan(200);
  });

  it('puts transparent pixels on white and expands grey to RGB', async () => {
    const rgba = Buffer.from([10, 20, 30, 0, 10, 20, 30, 255]);
    const png = await sharp(rgba, { raw: { width: 2, height: 1, channels: 4 } }).png().toBuffer();
    const image = await decodeImage(png);
    expect(Array.from(image.data)).toEqual([255, 255, 255, 10, 20, 30]);
    const grey = await sharp(Buffer.from([0, 128]), { raw: { width: 2, height: 1, channels: 1 } }).png().toBuffer();
    expect(Array.from((await decodeImage(grey)).data)).toEqual([0, 0, 0, 128, 128, 128]);
  });

  it('names the file and the accepted formats when it cannot read it', async () => {
    const gif = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#000' } }).gif().toBuffer();
    for (const source of [gif, new Uint8Array([1, 2, 3]), '/no/such/dir/face.webp']) {
      const error = await decodeImage(source).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(FaceError);
      expect((error as FaceError).code).toBe('IMAGE_UNREADABLE');
      expect((error as FaceError).message).toMatch(/JPEG, PNG or WebP/);
    }
    const missing = await decodeImage('/no/such/dir/face.webp').then(() => null, (e: unknown) => e as FaceError);
    expect(missing?.message).toBe('Cannot read face.webp: no such file. Portraits must be JPEG, PNG or WebP images.');
  });
});
