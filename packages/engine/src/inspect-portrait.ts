import { DEFAULT_OUTPUT_MODE } from '@portrait-farm/contracts';
import { decodeImage } from '@portrait-farm/face';
import { fitFull } from '@portrait-farm/renderer';
import type { OutputMode } from './render-options.ts';

/** A portrait's size, and the size it is rendered at when that is smaller. */
export interface PortraitInfo {
  width: number;
  height: number;
  /** The size 'full' mode renders at when the portrait is larger (long side capped at 1920, sides even); else null. */
  downscaledTo: { width: number; height: number } | null;
}

/**
 * Decodes the portrait without loading any model, so a file that is not a readable JPEG, PNG or WebP fails at once
 * (the face package's IMAGE_UNREADABLE, naming the file), and says whether `mode` renders it smaller than it is, as
 * {@link prepareSourceImage} will.
 */
export async function inspectPortrait(image: string, mode: OutputMode = DEFAULT_OUTPUT_MODE): Promise<PortraitInfo> {
  const { width, height } = await decodeImage(image);
  if (mode !== 'full') return { width, height, downscaledTo: null };
  const size = fitFull(width, height);
  return { width, height, downscaledTo: size.width < width || size.height < height ? size : null };
}
