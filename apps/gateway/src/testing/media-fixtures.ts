import { fileURLToPath } from 'node:url';
import { pcm16Wav, toneSamples } from '@portrait-farm/media';
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
  return pcm16Wav(toneSamples(seconds, sampleRate), sampleRate);
}
