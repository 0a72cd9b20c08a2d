import sharp, { type OverlayOptions } from 'sharp';
import type { VideoFrames } from '@portrait-farm/media';
import type { TimedPhone } from './phones.ts';

/** Options of {@link saveMouthSheet}. */
export interface MouthSheetOptions {
  /** Square region to show, in video pixels. */
  region: { x: number; y: number; size: number };
  fps: number;
  /** @defaultValue 10 */
  columns?: number;
  /** @defaultValue 128 */
  tile?: number;
}

/** A PNG grid of every frame's mouth region, each captioned with its frame number and the phone it falls in. */
export async function saveMouthSheet(video: VideoFrames, phones: readonly TimedPhone[], out: string, options: MouthSheetOptions): Promise<void> {
  const columns = options.columns ?? 10;
  const tile = options.tile ?? 128;
  const label = 16;
  const { x, y, size } = options.region;
  const overlays: OverlayOptions[] = [];
  for (const [k, frame] of video.frames.entries()) {
    const index = video.indices[k]!;
    const t = (index + 0.5) / options.fps;
    const phone = phones.find((p) => t >= p.start && t < p.end)?.phone ?? '';
    const left = (k % columns) * tile;
    const top = Math.floor(k / columns) * (tile + label);
    const input = await sharp(Buffer.from(frame.buffer, frame.byteOffset, frame.length), { raw: { width: video.width, height: video.height, channels: 3 } })
      .extract({ left: x, top: y, width: size, height: size })
      .resize(tile, tile)
      .png()
      .toBuffer();
    overlays.push({ input, left, top });
    const caption = `<svg width="${tile}" height="${label}"><text x="3" y="12" font-family="sans-serif" font-size="11" fill="white">${index} ${phone.replace(/[<&>]/g, '')}</text></svg>`;
    overlays.push({ input: Buffer.from(caption), left, top: top + tile });
  }
  const rows = Math.ceil(video.frames.length / columns);
  await sharp({ create: { width: columns * tile, height: rows * (tile + label), channels: 3, background: '#111' } }).composite(overlays).png().toFile(out);
}
