import sharp from 'sharp';
import { MediaError } from './errors.ts';
import { readVideoFrames } from './read-video-frames.ts';

/** Frames already in memory (RGB24, all the same size). */
export interface FramesSource {
  frames: readonly Uint8Array[];
  width: number;
  height: number;
  /** Caption under each frame; defaults to its position. */
  labels?: readonly string[];
}

/** Frames taken from a video file. */
export interface VideoSource {
  video: string;
  frameIndices: readonly number[];
}

/** Options of {@link saveContactSheet}. */
export interface ContactSheetOptions {
  /**
   * Frames per row.
   * @defaultValue 4
   */
  columns?: number;
  /**
   * Width of each tile in pixels (height follows the aspect ratio).
   * @defaultValue 256
   */
  tileWidth?: number;
}

const LABEL_HEIGHT = 18;
const GAP = 4;

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Writes a PNG grid of frames with a caption under each (frame number for videos), for looking at results. */
export async function saveContactSheet(
  source: FramesSource | VideoSource,
  out: string,
  options: ContactSheetOptions = {},
): Promise<{ out: string; width: number; height: number }> {
  const columns = options.columns ?? 4;
  const tileWidth = options.tileWidth ?? 256;
  if (!Number.isInteger(columns) || columns < 1 || columns > 64) {
    throw new MediaError('MEDIA_BAD_OPTION', `columns must be an integer between 1 and 64. Passed: ${columns}`);
  }
  if (!Number.isInteger(tileWidth) || tileWidth < 16 || tileWidth > 4096) {
    throw new MediaError('MEDIA_BAD_OPTION', `tileWidth must be an integer between 16 and 4096. Passed: ${tileWidth}`);
  }
  let frames: readonly Uint8Array[];
  let width: number;
  let height: number;
  let labels: readonly string[];
  if ('video' in source) {
    const decoded = await readVideoFrames(source.video, source.frameIndices);
    ({ frames, width, height } = decoded);
    labels = decoded.indices.map((i) => `frame ${i}`);
  } else {
    ({ frames, width, height } = source);
    labels = source.labels ?? frames.map((_, i) => String(i));
  }
  if (frames.length === 0) throw new MediaError('MEDIA_BAD_OPTION', 'A contact sheet needs at least one frame. Passed: 0');

  const tileHeight = Math.max(1, Math.round((height * tileWidth) / width));
  const cols = Math.min(columns, frames.length);
  const rows = Math.ceil(frames.length / cols);
  const cellHeight = tileHeight + LABEL_HEIGHT;
  const sheetWidth = cols * tileWidth + (cols + 1) * GAP;
  const sheetHeight = rows * cellHeight + (rows + 1) * GAP;

  const composites = await Promise.all(
    frames.map(async (frame, i) => {
      if (frame.length !== width * height * 3) {
        throw new MediaError('MEDIA_BAD_FRAME', `Frame ${i} must be ${width * height * 3} bytes. Passed: ${frame.length}`);
      }
      const tile = await sharp(frame, { raw: { width, height, channels: 3 } })
        .resize(tileWidth, tileHeight)
        .png()
        .toBuffer();
      return { input: tile, left: GAP + (i % cols) * (tileWidth + GAP), top: GAP + Math.floor(i / cols) * (cellHeight + GAP) };
    }),
  );
  const text = labels
    .slice(0, frames.length)
    .map((label, i) => {
      const x = GAP + (i % cols) * (tileWidth + GAP) + 4;
      const y = GAP + Math.floor(i / cols) * (cellHeight + GAP) + tileHeight + LABEL_HEIGHT - 5;
      return `<text x="${x}" y="${y}" font-family="sans-serif" font-size="13" fill="#ddd">${escapeXml(label)}</text>`;
    })
    .join('');
  const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${sheetWidth}" height="${sheetHeight}">${text}</svg>`);
  await sharp({ create: { width: sheetWidth, height: sheetHeight, channels: 3, background: '#222' } })
    .composite([...composites, { input: svg, left: 0, top: 0 }])
    .png()
    .toFile(out);
  return { out, width: sheetWidth, height: sheetHeight };
}
