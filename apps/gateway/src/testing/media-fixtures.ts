import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

/** The repository's test portrait (512x512, its face about 100 pixels wide). */
export const PORTRAIT = fileURLToPath(new URL('../../../../test/fixtures/astronaut.png', import.meta.url));

const portraits = new Map<string, Promise<Buffer>>();

/** The test portrait as a `side` x `side` PNG (its face about side / 5 pixels wide), made once per size. */
export function portraitPng(side = 320): Promise<Buffer> {
  const key = String(side);
  let made = portraits.get(key);
  if (made === undefined) {
    made = sharp(PORTRAIT).resize(side, side).png().toBuffer();
    portraits.set(key, made);
  }
  return made;
}

/** A PNG of the given size (a flat colour with a gradient row, so it is a real image). */
export async function pngImage(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 180, g: 140, b: 120 } } }).png().toBuffer();
}

/** 16-bit mono PCM WAV of a 220 Hz tone. */
export function wavTone(seconds: number, sampleRate = 16_000): Buffer {
  const samples = Math.round(seconds * sampleRate);
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i += 1) data.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 220 * i) / sampleRate)), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}
