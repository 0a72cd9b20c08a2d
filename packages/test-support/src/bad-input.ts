import { deflateSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { pcm16Wav, toneSamples } from '@portrait-farm/media';
import sharp from 'sharp';

/**
 * Bad inputs for the farm, made at test time from code (nothing binary is committed): the same bytes on every run.
 * Images are a deterministic pattern (no random noise from libvips), damaged in known ways; audio is WAV written
 * here byte by byte.
 */

/** A deterministic pseudo-random sequence (mulberry32). */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Busy RGB pixels (gradients plus seeded noise), so encoded files have long entropy-coded data to cut or damage. */
function patternPixels(width: number, height: number, seed = 1): Buffer {
  const next = prng(seed);
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const o = (y * width + x) * 3;
      pixels[o] = (x * 255) / width + next() * 60;
      pixels[o + 1] = (y * 255) / height + next() * 60;
      pixels[o + 2] = next() * 255;
    }
  }
  return pixels;
}

export type ImageFormat = 'jpeg' | 'png' | 'webp';

/** A valid image of the format, `width` x `height`, with busy content. */
export async function patternImage(format: ImageFormat, width = 256, height = 256): Promise<Buffer> {
  const image = sharp(patternPixels(width, height), { raw: { width, height, channels: 3 } });
  if (format === 'jpeg') return image.jpeg({ quality: 90 }).toBuffer();
  if (format === 'webp') return image.webp({ quality: 90 }).toBuffer();
  return image.png({ compressionLevel: 1 }).toBuffer();
}

/** The first `fraction` of the file: a header that reads, data that ends early. */
export function truncated(bytes: Buffer, fraction = 0.6): Buffer {
  return bytes.subarray(0, Math.floor(bytes.length * fraction));
}

/**
 * The file with seeded garbage written over bytes `from` to `to` (by default its middle half: headers intact,
 * compressed data broken).
 */
export function corrupted(bytes: Buffer, from = Math.floor(bytes.length / 4), to = Math.floor((bytes.length * 3) / 4), seed = 7): Buffer {
  const out = Buffer.from(bytes);
  const next = prng(seed);
  for (let i = from; i < Math.min(to, out.length); i += 1) out[i] = Math.floor(next() * 256);
  return out;
}

/**
 * Offset of a lossy WebP's first partition, after the RIFF header (12 bytes), the VP8 chunk header (8), the frame tag
 * (3), the start code (3) and the size (4): garbage there breaks the decoder's setup, which libwebp notices.
 */
const WEBP_FIRST_PARTITION = 30;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * A decompression bomb: a small, well-formed PNG whose header declares `width` x `height` RGB pixels (its one row
 * of data compresses to almost nothing). A decoder that trusts the header allocates width x height x 3 bytes.
 */
export function pngBomb(width = 100_000, height = 100_000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const row = Buffer.alloc(1 + width * 3);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(row, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A valid JPEG whose frame header (SOF) is rewritten to declare `width` x `height` pixels. */
export async function jpegBomb(width = 65_000, height = 65_000): Promise<Buffer> {
  const out = Buffer.from(await patternImage('jpeg', 64, 64));
  for (let i = 2; i + 9 < out.length; i += 1) {
    // SOF0 (baseline) or SOF2 (progressive): FF C0/C2, length, precision, height, width.
    if (out[i] === 0xff && (out[i + 1] === 0xc0 || out[i + 1] === 0xc2)) {
      out.writeUInt16BE(height, i + 5);
      out.writeUInt16BE(width, i + 7);
      return out;
    }
  }
  throw new Error('jpegBomb: no SOF marker in the encoded JPEG');
}

/** Options of {@link wav}. */
export interface WavOptions {
  seconds: number;
  /** Written in the header; the data is made at `dataRate` when the header lies. @defaultValue 16000 */
  sampleRate?: number;
  /** Rate the samples are made at. @defaultValue sampleRate */
  dataRate?: number;
  /** Peak of the 220 Hz tone, 0 for silence. @defaultValue 8000 (of 32767) */
  amplitude?: number;
}

/** 16-bit mono PCM WAV of a 220 Hz tone (or silence); the header's sample rate may lie. */
export function wav(options: WavOptions): Buffer {
  const headerRate = options.sampleRate ?? 16_000;
  const rate = options.dataRate ?? Math.min(headerRate, 48_000);
  return pcm16Wav(toneSamples(options.seconds, rate, 220, options.amplitude ?? 8000), rate, headerRate);
}

/** A WAV header that promises a PCM stream followed by bytes that are no valid chunk structure or format. */
export function corruptWav(): Buffer {
  const out = corrupted(wav({ seconds: 1 }), 44, 2000, 11);
  // A format block that names no codec: tag 0x0000, zero channels.
  out.writeUInt16LE(0, 20);
  out.writeUInt16LE(0, 22);
  return out;
}

/** What a bad input is sent as: its bytes, the file name and the content type the client claims. */
export interface BadFile {
  bytes: Buffer;
  filename: string;
  contentType: string;
}

/** The bad images, by case name; each is sent as the portrait. */
export async function badImages(): Promise<Record<string, BadFile>> {
  const file = (bytes: Buffer, filename: string, contentType: string): BadFile => ({ bytes, filename, contentType });
  const [jpeg, png, webp] = await Promise.all([patternImage('jpeg'), patternImage('png'), patternImage('webp')]);
  return {
    'image: empty file': file(Buffer.alloc(0), 'portrait.png', 'image/png'),
    'image: truncated JPEG': file(truncated(jpeg), 'portrait.jpg', 'image/jpeg'),
    'image: corrupt JPEG': file(corrupted(jpeg), 'portrait.jpg', 'image/jpeg'),
    'image: truncated PNG': file(truncated(png), 'portrait.png', 'image/png'),
    'image: corrupt PNG': file(corrupted(png), 'portrait.png', 'image/png'),
    'image: truncated WebP': file(truncated(webp), 'portrait.webp', 'image/webp'),
    // libwebp decodes garbage in the middle of lossy data without complaint; in the first partition it cannot.
    'image: corrupt WebP': file(corrupted(webp, WEBP_FIRST_PARTITION, WEBP_FIRST_PARTITION + 30), 'portrait.webp', 'image/webp'),
    'image: PNG bomb (100000x100000)': file(pngBomb(), 'portrait.png', 'image/png'),
    'image: JPEG bomb (65000x65000)': file(await jpegBomb(), 'portrait.jpg', 'image/jpeg'),
    'image: text named .png': file(Buffer.from('this is not a picture\n'), 'portrait.png', 'image/png'),
    'image: WAV named .png': file(wav({ seconds: 1 }), 'portrait.png', 'image/png'),
  };
}

/** The bad audio files, by case name; each is sent as the audio. `longerThan` is the gateway's limit in seconds. */
export async function badAudio(longerThan: number): Promise<Record<string, BadFile>> {
  const file = (bytes: Buffer, filename = 'speech.wav', contentType = 'audio/wav'): BadFile => ({ bytes, filename, contentType });
  return {
    'audio: empty file': file(Buffer.alloc(0)),
    'audio: silent 2 s': file(wav({ seconds: 2, amplitude: 0 })),
    'audio: 0.1 s long': file(wav({ seconds: 0.1 })),
    [`audio: longer than the limit (${longerThan + 1} s)`]: file(wav({ seconds: longerThan + 1, sampleRate: 8000 })),
    'audio: text, not audio': file(Buffer.from('hello, this is plain text and not audio at all\n'.repeat(40))),
    'audio: corrupt WAV': file(corruptWav()),
    'audio: header claims 2^31 Hz': file(wav({ seconds: 1, sampleRate: 2 ** 31, dataRate: 16_000 })),
    'audio: header claims 2^31-1 Hz': file(wav({ seconds: 1, sampleRate: 2 ** 31 - 1, dataRate: 16_000 })),
    'audio: PNG named speech.wav': file(await patternImage('png', 32, 32)),
  };
}

/** The repository's test portrait: 512x512, one face about 100 pixels wide. */
export const TEST_PORTRAIT = fileURLToPath(new URL('../../../test/fixtures/astronaut.png', import.meta.url));

/** `count` copies of the test portrait, each `side` pixels, in a grid two wide on white. */
async function portraitGrid(count: number, side: number): Promise<Buffer> {
  const tile = await sharp(TEST_PORTRAIT).resize(side, side).png().toBuffer();
  const rows = Math.ceil(count / 2);
  const tiles = Array.from({ length: count }, (_, i) => ({ input: tile, left: (i % 2) * side, top: Math.floor(i / 2) * side }));
  return sharp({ create: { width: 2 * side, height: rows * side, channels: 3, background: '#ffffff' } }).composite(tiles).png().toBuffer();
}

/** The test portrait shrunk to `side` pixels in the middle of a `canvas` x `canvas` white image. */
async function portraitInCanvas(side: number, canvas: number): Promise<Buffer> {
  const small = await sharp(TEST_PORTRAIT).resize(side, side, { kernel: 'lanczos3' }).png().toBuffer();
  const at = Math.round((canvas - side) / 2);
  return sharp({ create: { width: canvas, height: canvas, channels: 3, background: '#ffffff' } })
    .composite([{ input: small, left: at, top: at }])
    .png()
    .toBuffer();
}

/**
 * Images that decode but hold no face the farm can animate, by case name: none, several of the same size (which one?),
 * one too small (about 23 pixels wide, under the 48 the engine needs).
 */
export async function badFaceImages(): Promise<Record<string, BadFile>> {
  const file = (bytes: Buffer): BadFile => ({ bytes, filename: 'portrait.png', contentType: 'image/png' });
  const [none, four, tiny] = await Promise.all([patternImage('png', 320, 320), portraitGrid(4, 384), portraitInCanvas(128, 320)]);
  return {
    'image: no face (gradient and noise)': file(none),
    'image: many faces (4 portraits in a 2x2 grid)': file(four),
    'image: tiny face (23 px in 320x320)': file(tiny),
  };
}
