import { LiveMediaError } from './errors.ts';

/** x264 presets a live encoder may use, fastest first. */
export const LIVE_X264_PRESETS = Object.freeze(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast'] as const);
export type LiveX264Preset = (typeof LIVE_X264_PRESETS)[number];

/** Options of {@link LiveVideoEncoder}. */
export interface LiveVideoEncoderOptions {
  /** Frame width in pixels (even, 16 to 4096). */
  width: number;
  /** Frame height in pixels (even, 16 to 4096). */
  height: number;
  /** Frames per second, 1 to 60; each frame written is one access unit, `index / fps` seconds into the stream. */
  fps: number;
  /**
   * What `encode` takes: yuv420p (width*height*3/2 bytes, as the render threads hand out) or RGB24 (width*height*3
   * bytes), which ffmpeg converts with the BT.709 matrix to limited range like the batch encoder.
   * @defaultValue 'yuv420p'
   */
  pixelFormat?: 'yuv420p' | 'rgb24';
  /**
   * Seconds between keyframes (IDR frames): how long a viewer who joins or loses a packet waits for a picture.
   * @defaultValue 2
   */
  keyframeIntervalSeconds?: number;
  /**
   * Constant rate factor, 0 to 51 (lower is better), used when `bitrateKbps` is null. With the default preset, 24
   * keeps the SSIM of veryfast at 23 (docs/realtime.md, "CPU per session").
   * @defaultValue 24
   */
  crf?: number;
  /**
   * A target bitrate in kbit/s (capped by a VBV buffer of one second), for links that need it; null: `crf`.
   * @defaultValue null
   */
  bitrateKbps?: number | null;
  /**
   * x264 preset. superfast codes a session's pictures for about a quarter less CPU than veryfast at the same SSIM,
   * with about a fifth more bits (docs/realtime.md, "CPU per session").
   * @defaultValue 'superfast'
   */
  preset?: LiveX264Preset;
  /**
   * H.264 profile: `baseline` gives constrained baseline (avc1.42C0xx), which every WebRTC stack and every MSE
   * decoder takes; `main` codes CABAC for fewer bits (never B-frames here). Both play through MSE.
   * @defaultValue 'baseline'
   */
  profile?: 'baseline' | 'main';
  /**
   * x264 threads. One thread keeps a frame's latency to one frame's encode and its CPU lowest; more threads split
   * each frame into slices.
   * @defaultValue 1
   */
  threads?: number;
  /**
   * The ffmpeg binary.
   * @defaultValue 'ffmpeg'
   */
  ffmpegPath?: string;
}

export type ResolvedLiveVideoOptions = Required<LiveVideoEncoderOptions>;

function bad(name: string, allowed: string, value: unknown): LiveMediaError {
  return new LiveMediaError('LIVE_MEDIA_BAD_OPTION', `${name} must be ${allowed}. Passed: ${String(value)}`);
}

export function resolveLiveVideoOptions(options: LiveVideoEncoderOptions): ResolvedLiveVideoOptions {
  const o: ResolvedLiveVideoOptions = {
    width: options.width,
    height: options.height,
    fps: options.fps,
    pixelFormat: options.pixelFormat ?? 'yuv420p',
    keyframeIntervalSeconds: options.keyframeIntervalSeconds ?? 2,
    crf: options.crf ?? 24,
    bitrateKbps: options.bitrateKbps ?? null,
    preset: options.preset ?? 'superfast',
    profile: options.profile ?? 'baseline',
    threads: options.threads ?? 1,
    ffmpegPath: options.ffmpegPath ?? 'ffmpeg',
  };
  for (const key of ['width', 'height'] as const) {
    const value = o[key];
    if (!Number.isInteger(value) || value < 16 || value > 4096 || value % 2 !== 0) throw bad(key, 'an even integer between 16 and 4096', value);
  }
  if (!Number.isInteger(o.fps) || o.fps < 1 || o.fps > 60) throw bad('fps', 'an integer between 1 and 60', o.fps);
  if (!['yuv420p', 'rgb24'].includes(o.pixelFormat)) throw bad('pixelFormat', "'yuv420p' or 'rgb24'", o.pixelFormat);
  if (!(o.keyframeIntervalSeconds >= 1 / o.fps && o.keyframeIntervalSeconds <= 60)) {
    throw bad('keyframeIntervalSeconds', `between one frame (${1 / o.fps}) and 60`, o.keyframeIntervalSeconds);
  }
  if (!Number.isInteger(o.crf) || o.crf < 0 || o.crf > 51) throw bad('crf', 'an integer between 0 and 51', o.crf);
  if (o.bitrateKbps !== null && !(Number.isInteger(o.bitrateKbps) && o.bitrateKbps >= 50 && o.bitrateKbps <= 50_000)) {
    throw bad('bitrateKbps', 'null or an integer between 50 and 50000', o.bitrateKbps);
  }
  if (!LIVE_X264_PRESETS.includes(o.preset)) throw bad('preset', LIVE_X264_PRESETS.join(', '), o.preset);
  if (!['baseline', 'main'].includes(o.profile)) throw bad('profile', "'baseline' or 'main'", o.profile);
  if (!Number.isInteger(o.threads) || o.threads < 1 || o.threads > 16) throw bad('threads', 'an integer between 1 and 16', o.threads);
  return o;
}

/** The bytes of one frame `encode` takes. */
export function liveFrameBytes(o: Pick<ResolvedLiveVideoOptions, 'width' | 'height' | 'pixelFormat'>): number {
  return o.pixelFormat === 'rgb24' ? o.width * o.height * 3 : (o.width * o.height * 3) / 2;
}

/** ffmpeg's arguments: raw frames on stdin, H.264 in FLV tags on stdout, each written as soon as x264 makes it. */
export function liveVideoArgs(o: ResolvedLiveVideoOptions): string[] {
  const gop = Math.max(1, Math.round(o.fps * o.keyframeIntervalSeconds));
  const rate = o.bitrateKbps === null ? ['-crf', String(o.crf)] : ['-b:v', `${o.bitrateKbps}k`, '-maxrate', `${o.bitrateKbps}k`, '-bufsize', `${o.bitrateKbps}k`];
  const colour = o.pixelFormat === 'rgb24' ? ['-vf', 'scale=out_color_matrix=bt709:out_range=tv,format=yuv420p'] : [];
  return [
    '-nostdin', '-v', 'error', '-hide_banner',
    '-f', 'rawvideo', '-pix_fmt', o.pixelFormat, '-s', `${o.width}x${o.height}`, '-r', String(o.fps), '-i', 'pipe:0',
    ...colour,
    '-c:v', 'libx264', '-preset', o.preset, '-tune', 'zerolatency', '-profile:v', o.profile, ...rate,
    '-pix_fmt', 'yuv420p', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709', '-color_range', 'tv',
    '-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0', '-bf', '0', '-threads', String(o.threads),
    '-x264-params', 'scenecut=0:open-gop=0:rc-lookahead=0',
    '-f', 'flv', '-flvflags', 'no_duration_filesize', '-flush_packets', '1', 'pipe:1',
  ];
}
