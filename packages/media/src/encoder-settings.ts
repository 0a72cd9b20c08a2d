import { MediaError } from './errors.ts';

/** x264 speed/quality presets accepted by the encoder, fastest first. */
export const X264_PRESETS = Object.freeze([
  'ultrafast',
  'superfast',
  'veryfast',
  'faster',
  'fast',
  'medium',
  'slow',
] as const);
export type X264Preset = (typeof X264_PRESETS)[number];

/**
 * The one set of H.264 settings every chunk and every whole-clip encode uses. Chunks encoded separately are
 * joined with `-c copy`, so all of them must carry identical stream parameters; fixing the thread count and
 * asking x264 for CPU-independent decisions makes the same frames give the same bytes on any machine.
 */
export const H264_SETTINGS = Object.freeze({
  codec: 'libx264',
  preset: 'veryfast' as X264Preset,
  crf: 20,
  profile: 'high',
  pixelFormat: 'yuv420p',
  /** Keyframe interval in seconds (`-g` = fps * this). */
  keyframeIntervalSeconds: 2,
  bFrames: 3,
  /** x264 frame threads; x264's output depends on it, so it is a constant, not the machine's core count. */
  threads: 4,
  x264Params: 'scenecut=0:open-gop=0:cpu-independent=1',
  /**
   * x264 options over the preset's, chosen with `bFrames` by `npm run bench:encoder` (docs/performance.md, "Encoder
   * settings"): sub-pixel refinement 1 instead of veryfast's 2 and a third B-frame cost about 15 % less CPU for the
   * same SSIM and about 2 % more bits.
   */
  x264Tuning: 'subme=1',
  /** RGB is converted with the BT.709 matrix to limited-range YUV and tagged so, as players assume for HD. */
  colorSpace: 'bt709',
  /** Where RGB frames become yuv420p: see {@link ColourConversion}. */
  colourConversion: 'ffmpeg' as ColourConversion,
  audioCodec: 'aac',
  audioBitrate: '128k',
});

/**
 * `ffmpeg`: RGB24 is piped and ffmpeg's scale filter converts it. `rgbToYuv420`: the encoder converts each RGB24 frame
 * in this process (createYuv420Converter: the bytes of {@link rgbToYuv420}) and pipes yuv420p (half the bytes).
 * `yuv420pInput`: the frames written are yuv420p already (converted the same way, e.g. by the render threads) and
 * are piped as they are. Measured (`npm run bench:encoder`), ffmpeg's and the JavaScript conversion cost the same
 * CPU; the default stays ffmpeg's, while the engine's chunks come converted by the render threads' SIMD kernel.
 */
export type ColourConversion = 'ffmpeg' | 'rgbToYuv420' | 'yuv420pInput';

/** The conversions {@link createVideoEncoder} accepts. */
export const COLOUR_CONVERSIONS: readonly ColourConversion[] = Object.freeze(['ffmpeg', 'rgbToYuv420', 'yuv420pInput']);

/** The x264 choices a benchmark varies; production takes them all from {@link H264_SETTINGS}. */
export interface X264Choice {
  preset: X264Preset;
  crf: number;
  bFrames: number;
  /** x264 threads (its output depends on them). */
  threads: number;
  /** `-tune`, or null for none. */
  tune: string | null;
  /** x264 options over the preset's (`key=value:key=value`), or '' for none. */
  tuning: string;
}

/** {@link H264_SETTINGS}' own choice. */
export function defaultX264Choice(): X264Choice {
  return { preset: H264_SETTINGS.preset, crf: H264_SETTINGS.crf, bFrames: H264_SETTINGS.bFrames, threads: H264_SETTINGS.threads, tune: null, tuning: H264_SETTINGS.x264Tuning };
}

/**
 * Arguments for the video encoder (after the inputs), for a stream at `fps`; fed yuv420p (any conversion but
 * `ffmpeg`), there is no colour filter.
 */
export function x264VideoArgs(fps: number, choice: X264Choice, conversion: ColourConversion = H264_SETTINGS.colourConversion): string[] {
  const gop = Math.max(1, Math.round(fps * H264_SETTINGS.keyframeIntervalSeconds));
  const colourFilter = `scale=out_color_matrix=${H264_SETTINGS.colorSpace}:out_range=tv,format=${H264_SETTINGS.pixelFormat}`;
  return [
    '-c:v', H264_SETTINGS.codec,
    '-preset', choice.preset,
    ...(choice.tune === null ? [] : ['-tune', choice.tune]),
    '-crf', String(choice.crf),
    '-profile:v', H264_SETTINGS.profile,
    ...(conversion === 'ffmpeg' ? ['-vf', colourFilter] : []),
    '-pix_fmt', H264_SETTINGS.pixelFormat,
    '-color_primaries', H264_SETTINGS.colorSpace,
    '-color_trc', H264_SETTINGS.colorSpace,
    '-colorspace', H264_SETTINGS.colorSpace,
    '-color_range', 'tv',
    '-g', String(gop),
    // x264 clamps the minimum interval to gop/2+1; passing that value keeps the command honest.
    '-keyint_min', String(Math.floor(gop / 2) + 1),
    '-sc_threshold', '0',
    '-bf', String(choice.bFrames),
    '-threads', String(choice.threads),
    '-x264-params', choice.tuning === '' ? H264_SETTINGS.x264Params : `${H264_SETTINGS.x264Params}:${choice.tuning}`,
  ];
}

export function aacAudioArgs(): string[] {
  return ['-c:a', H264_SETTINGS.audioCodec, '-b:a', H264_SETTINGS.audioBitrate];
}

/** `-movflags +faststart` for MP4-family outputs (moov atom first, so playback starts before the download ends). */
export function containerArgs(out: string): string[] {
  return /\.(mp4|m4v|mov)$/i.test(out) ? ['-movflags', '+faststart'] : [];
}

export function checkPreset(preset: string): X264Preset {
  const found = X264_PRESETS.find((p) => p === preset);
  if (found === undefined) {
    throw new MediaError('MEDIA_BAD_OPTION', `preset must be one of ${X264_PRESETS.join(', ')}. Passed: ${preset}`);
  }
  return found;
}
