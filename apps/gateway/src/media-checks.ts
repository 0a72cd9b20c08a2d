import { probeMedia } from '@portrait-farm/media';
import sharp from 'sharp';
import type { Metadata } from 'sharp';
import { GatewayError } from './errors.ts';

export interface ImageFacts {
  width: number;
  height: number;
  format: 'jpeg' | 'png' | 'webp';
}

const IMAGE_TYPES: Readonly<Record<string, ImageFacts['format']>> = Object.freeze({ jpeg: 'jpeg', png: 'png', webp: 'webp' });

/** Reads the image header (sharp metadata, no full decode) and checks format and pixel count. */
export async function checkImage(path: string, maxPixels: number): Promise<ImageFacts> {
  let metadata: Metadata;
  try {
    metadata = await sharp(path, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new GatewayError('GATEWAY_BAD_IMAGE', `The image cannot be read as JPEG, PNG or WebP: ${(error as Error).message}`);
  }
  const format = IMAGE_TYPES[metadata.format ?? ''];
  const { width, height } = metadata;
  if (format === undefined || width === undefined || height === undefined) {
    throw new GatewayError('GATEWAY_BAD_IMAGE', `The image must be JPEG, PNG or WebP. Received: ${metadata.format ?? 'unknown format'}`);
  }
  if (width * height > maxPixels) {
    throw new GatewayError(
      'GATEWAY_IMAGE_TOO_LARGE',
      `The image must have at most ${maxPixels} pixels. Received: ${width}x${height} = ${width * height} pixels`,
    );
  }
  return { width, height, format };
}

export interface AudioFacts {
  durationSeconds: number;
  format: string;
}

/** Probes the audio (ffprobe) and checks it has an audio stream no longer than the limit. */
export async function checkAudio(path: string, maxSeconds: number): Promise<AudioFacts> {
  let info: Awaited<ReturnType<typeof probeMedia>>;
  try {
    info = await probeMedia(path, { countPackets: false });
  } catch {
    throw new GatewayError('GATEWAY_BAD_AUDIO', 'The audio cannot be read by ffprobe as any known audio format.');
  }
  if (info.audio === null) throw new GatewayError('GATEWAY_BAD_AUDIO', `The audio file has no audio stream (format ${info.formatName}).`);
  const duration = info.audio.durationSeconds ?? info.durationSeconds;
  if (duration === null || !(duration > 0)) {
    throw new GatewayError('GATEWAY_BAD_AUDIO', `The audio duration cannot be determined (format ${info.formatName}).`);
  }
  if (duration > maxSeconds) {
    throw new GatewayError('GATEWAY_AUDIO_TOO_LONG', `The audio must be at most ${maxSeconds} seconds long. Received: ${duration.toFixed(2)} seconds`);
  }
  return { durationSeconds: duration, format: info.formatName };
}
