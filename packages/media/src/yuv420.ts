/**
 * The RGB24 to yuv420p conversion alone, without the rest of the package (ffmpeg, sharp): what render threads
 * import to convert their frames.
 */
export { rgbToYuv420, yuv420FrameBytes } from './rgb-to-yuv420.ts';
export { createYuv420Converter } from './yuv420-converter.ts';
export type { Yuv420Converter } from './yuv420-converter.ts';
