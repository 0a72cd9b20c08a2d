import { decodeImage } from '@portrait-farm/face';
import type { RgbImage } from '@portrait-farm/face';
import { MIN_AUDIO_SECONDS, decodeAudio, isMediaError, probeMedia } from '@portrait-farm/media';
import type { MediaInfo } from '@portrait-farm/media';
import sharp from 'sharp';
import type { Metadata } from 'sharp';
import { GatewayError } from './errors.ts';

// The checks at create: everything a worker would find wrong with an input is found here, before anything is
// stored or queued. Messages never name the gateway's temporary files.

export interface ImageFacts {
  /** Pixels as the engine sees the image: EXIF orientation applied. */
  width: number;
  height: number;
  format: 'jpeg' | 'png' | 'webp';
}

const IMAGE_TYPES: Readonly<Record<string, ImageFacts['format']>> = Object.freeze({ jpeg: 'jpeg', png: 'png', webp: 'webp' });
const FORMAT_NAMES: Readonly<Record<string, string>> = Object.freeze({ jpeg: 'JPEG', png: 'PNG', webp: 'WebP' });
const formatName = (format: string): string => FORMAT_NAMES[format] ?? format;

function badImage(message: string): GatewayError {
  return new GatewayError('GATEWAY_BAD_IMAGE', message);
}

async function imageHeader(path: string): Promise<Metadata> {
  try {
    return await sharp(path, { limitInputPixels: false }).metadata();
  } catch (error) {
    const damaged = /corrupt header: (\w+)/.exec((error as Error).message)?.[1];
    if (damaged !== undefined) throw badImage(`The image cannot be read: its ${formatName(damaged)} header is damaged or cut short.`);
    throw badImage('The image is not a JPEG, PNG or WebP file (its first bytes match none of them, or the file is empty).');
  }
}

/**
 * Decodes every pixel as the engine will, failing on the first decoder warning: a truncated or damaged file is
 * refused now rather than by the worker. With `rgb` the full-size RGB image the face check needs is kept (one
 * decode for both checks); without, the image is scaled down on the way, so memory stays small.
 */
async function decodeWhole(path: string, format: string, maxPixels: number, rgb: boolean): Promise<RgbImage | null> {
  try {
    if (rgb) return await decodeImage(path, { maxPixels });
    await sharp(path, { failOn: 'warning', limitInputPixels: maxPixels, sequentialRead: true })
      .resize({ width: 64, height: 64, fit: 'inside' })
      .raw()
      .toBuffer();
    return null;
  } catch (error) {
    const text = ((error as Error).cause instanceof Error ? (error as Error).cause as Error : (error as Error)).message;
    const why = !/corrupt/i.test(text) && /premature end|truncat|unexpected end/i.test(text) ? 'ends early (truncated)' : 'has damaged data';
    throw badImage(`The image cannot be decoded: the ${formatName(format)} file ${why}. Send the complete, undamaged file.`);
  }
}

/**
 * Reads the image header (no decode) for format and size, refuses more pixels than `maxPixels` before decoding
 * anything (decompression bombs declare huge sizes in small files), then decodes the whole image: to full-size RGB
 * (returned as `rgb`) when `keepRgb`, for the face check.
 */
export async function checkImage(path: string, maxPixels: number, keepRgb = false): Promise<ImageFacts & { rgb: RgbImage | null }> {
  const metadata = await imageHeader(path);
  const format = IMAGE_TYPES[metadata.format ?? ''];
  if (format === undefined) throw badImage(`The image must be JPEG, PNG or WebP. Received: ${metadata.format ?? 'an unknown format'}`);
  const { width, height } = metadata.autoOrient;
  if (!(width > 0 && height > 0)) throw badImage(`The ${formatName(format)} header declares no size.`);
  if (width * height > maxPixels) {
    throw new GatewayError(
      'GATEWAY_IMAGE_TOO_LARGE',
      `The image must have at most ${maxPixels} pixels. Received: ${width}x${height} = ${width * height} pixels`,
    );
  }
  const rgb = await decodeWhole(path, format, maxPixels, keepRgb);
  return { width, height, format, rgb };
}

/** The box a job's options.faceBox names. */
export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** options.faceBox must overlap the image (as the face analyzer requires), in the image's pixels after EXIF rotation. */
export function checkFaceBox(box: FaceBox | undefined, image: ImageFacts): void {
  if (box === undefined) return;
  if (box.x < image.width && box.y < image.height && box.x + box.width > 0 && box.y + box.height > 0) return;
  throw new GatewayError(
    'GATEWAY_BAD_OPTION',
    `options.faceBox must overlap the ${image.width}x${image.height} image (x below ${image.width}, y below ${image.height}). ` +
      `Received: x ${box.x}, y ${box.y}, width ${box.width}, height ${box.height}`,
  );
}

export interface AudioFacts {
  durationSeconds: number;
  format: string;
}

/** Sample rates a real recording has; a header outside them is damaged or forged. */
export const AUDIO_SAMPLE_RATES = Object.freeze({ min: 4000, max: 384_000 });

/** The rate the audio is decoded at for the checks (the worker's). */
const CHECK_RATE = 16_000;

/** Below this peak level (about -50 dBFS) the audio counts as silence. */
export const SILENCE_PEAK = 0.003;

function badAudio(message: string): GatewayError {
  return new GatewayError('GATEWAY_BAD_AUDIO', message);
}

function describeStreams(info: MediaInfo): string {
  return info.streams.length === 0 ? 'no streams' : info.streams.map((s) => `${s.type} (${s.codec})`).join(', ');
}

/** Judges the audio's probe (ffprobe of the file, shared with its decode). */
async function probeAudio(probe: Promise<MediaInfo>, maxSeconds: number): Promise<MediaInfo> {
  let info: MediaInfo;
  try {
    info = await probe;
  } catch {
    throw badAudio('The audio is not in any format ffmpeg reads (or the file is empty).');
  }
  const stream = info.audio;
  if (stream === null) throw badAudio(`The audio file holds no audio stream: it reads as ${info.formatName} with ${describeStreams(info)}.`);
  if (!(stream.sampleRate >= AUDIO_SAMPLE_RATES.min && stream.sampleRate <= AUDIO_SAMPLE_RATES.max)) {
    throw badAudio(`The audio's header declares a sample rate of ${stream.sampleRate} Hz; accepted are ${AUDIO_SAMPLE_RATES.min} to ${AUDIO_SAMPLE_RATES.max} Hz.`);
  }
  const duration = stream.durationSeconds ?? info.durationSeconds;
  if (duration !== null && duration > maxSeconds) {
    throw new GatewayError('GATEWAY_AUDIO_TOO_LONG', `The audio must be at most ${maxSeconds} seconds long. Received: ${duration.toFixed(2)} seconds`);
  }
  return info;
}

/** Decodes the audio as the worker will (mono, 16 kHz), naming what ffmpeg refuses. */
async function decodeForCheck(path: string, maxSeconds: number, signal: AbortSignal, probe: Promise<MediaInfo>): Promise<Float32Array> {
  try {
    return (await decodeAudio(path, { sampleRate: CHECK_RATE, minSeconds: 0, maxSeconds, signal, probe })).samples;
  } catch (error) {
    if (isMediaError(error, 'MEDIA_AUDIO_TOO_LONG')) {
      throw new GatewayError('GATEWAY_AUDIO_TOO_LONG', `The audio must be at most ${maxSeconds} seconds long.`);
    }
    if (isMediaError(error, 'MEDIA_FFMPEG_MISSING')) throw error;
    throw badAudio('The audio cannot be decoded: ffmpeg stops on damaged data or a codec it does not support.');
  }
}

/**
 * Probes the audio (ffprobe: an audio stream, a plausible sample rate, not longer than `maxSeconds`) while decoding
 * it whole: at least {@link MIN_AUDIO_SECONDS} long, decodable to the end, and not silent. The probe's verdict comes
 * first; a refused file's decode is stopped.
 */
export async function checkAudio(path: string, maxSeconds: number): Promise<AudioFacts> {
  const abort = new AbortController();
  // One ffprobe serves the check below and the decode (which sizes its buffer from it).
  const probe = probeMedia(path, { countPackets: false });
  const decoded = decodeForCheck(path, maxSeconds, abort.signal, probe);
  decoded.catch(() => {}); // awaited below, unless the probe refuses the file first
  let info: MediaInfo;
  try {
    info = await probeAudio(probe, maxSeconds);
  } catch (error) {
    abort.abort();
    await decoded.catch(() => {});
    throw error;
  }
  const samples = await decoded;
  const durationSeconds = samples.length / CHECK_RATE;
  if (durationSeconds < MIN_AUDIO_SECONDS) {
    throw new GatewayError(
      'GATEWAY_AUDIO_TOO_SHORT',
      `The audio must be at least ${MIN_AUDIO_SECONDS} seconds long. Received: ${durationSeconds.toFixed(3)} seconds`,
    );
  }
  let peak = 0;
  for (const sample of samples) peak = Math.max(peak, Math.abs(sample));
  if (peak < SILENCE_PEAK) {
    const level = peak === 0 ? 'digital silence' : `a peak of ${(20 * Math.log10(peak)).toFixed(0)} dBFS`;
    throw new GatewayError('GATEWAY_AUDIO_SILENT', `The audio is silent (${level}); send the speech to animate.`);
  }
  return { durationSeconds, format: info.formatName };
}
