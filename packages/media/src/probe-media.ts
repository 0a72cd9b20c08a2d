import { existsSync } from 'node:fs';
import { MediaError } from './errors.ts';
import { runTool } from './run-tool.ts';

/** One stream of a media file as ffprobe reports it. */
export interface MediaStreamInfo {
  index: number;
  type: 'audio' | 'video' | 'subtitle' | 'data' | 'other';
  codec: string;
  durationSeconds: number | null;
  /** Packets read by ffprobe's `-count_packets` (frames for video); null when counting was skipped. */
  packetCount: number | null;
  /** MD5 of the codec's extradata (for H.264 the SPS/PPS); null when the stream has none. */
  extradataHash: string | null;
}

export interface AudioStreamInfo extends MediaStreamInfo {
  type: 'audio';
  sampleRate: number;
  channels: number;
  channelLayout: string | null;
}

export interface VideoStreamInfo extends MediaStreamInfo {
  type: 'video';
  width: number;
  height: number;
  pixelFormat: string | null;
  /** Average frame rate; null for streams without one (a still image reports its default). */
  fps: number | null;
  /** Frames in the stream: the counted packets when counted, else the container's frame count. */
  frameCount: number | null;
}

export interface MediaInfo {
  path: string;
  formatName: string;
  /** The container's duration (the longest stream), or null when unknown. */
  durationSeconds: number | null;
  bitRate: number | null;
  streams: Array<AudioStreamInfo | VideoStreamInfo | MediaStreamInfo>;
  /** The first audio stream, or null. */
  audio: AudioStreamInfo | null;
  /** The first video stream that is not a cover picture, or null. */
  video: VideoStreamInfo | null;
}

/** Options of {@link probeMedia}. */
export interface ProbeMediaOptions {
  /**
   * Count packets of every stream (reads the whole file; exact frame counts for video).
   * @defaultValue true
   */
  countPackets?: boolean;
}

interface RawStream {
  index?: number;
  codec_type?: string;
  codec_name?: string;
  duration?: string;
  nb_read_packets?: string;
  nb_frames?: string;
  extradata_hash?: string;
  sample_rate?: string;
  channels?: number;
  channel_layout?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  avg_frame_rate?: string;
  disposition?: { attached_pic?: number };
}

interface RawProbe {
  streams?: RawStream[];
  format?: { format_name?: string; duration?: string; bit_rate?: string };
}

function toNumber(text: string | number | undefined): number | null {
  if (text === undefined || text === '' || text === 'N/A') return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

function toRate(text: string | undefined): number | null {
  if (text === undefined) return null;
  const [num, den] = text.split('/').map(Number);
  if (num === undefined || den === undefined || !Number.isFinite(num) || !Number.isFinite(den) || den === 0) {
    return null;
  }
  return num === 0 ? null : num / den;
}

function streamType(type: string | undefined): MediaStreamInfo['type'] {
  return type === 'audio' || type === 'video' || type === 'subtitle' || type === 'data' ? type : 'other';
}

function toStream(raw: RawStream, index: number): AudioStreamInfo | VideoStreamInfo | MediaStreamInfo {
  const base: MediaStreamInfo = {
    index: raw.index ?? index,
    type: streamType(raw.codec_type),
    codec: raw.codec_name ?? 'unknown',
    durationSeconds: toNumber(raw.duration),
    packetCount: toNumber(raw.nb_read_packets),
    extradataHash: raw.extradata_hash ?? null,
  };
  if (base.type === 'audio') {
    return {
      ...base,
      type: 'audio',
      sampleRate: toNumber(raw.sample_rate) ?? 0,
      channels: raw.channels ?? 0,
      channelLayout: raw.channel_layout ?? null,
    };
  }
  if (base.type === 'video') {
    return {
      ...base,
      type: 'video',
      width: raw.width ?? 0,
      height: raw.height ?? 0,
      pixelFormat: raw.pix_fmt ?? null,
      fps: toRate(raw.avg_frame_rate),
      frameCount: base.packetCount ?? toNumber(raw.nb_frames),
    };
  }
  return base;
}

/** Reads streams, codecs, durations and (by counting packets) frame counts of a media file with ffprobe. */
export async function probeMedia(path: string, options: ProbeMediaOptions = {}): Promise<MediaInfo> {
  if (!existsSync(path)) {
    throw new MediaError('MEDIA_FILE_MISSING', `Media file not found: ${path}`);
  }
  const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '-show_data_hash', 'md5'];
  if (options.countPackets ?? true) args.push('-count_packets');
  args.push('-i', path);
  const stdout = await runTool('ffprobe', args, {
    code: 'MEDIA_UNREADABLE',
    message: `ffprobe cannot read ${path} as audio or video`,
  });
  const raw = JSON.parse(stdout) as RawProbe;
  if (raw.format === undefined || raw.streams === undefined) {
    throw new MediaError('MEDIA_UNREADABLE', `ffprobe cannot read ${path} as audio or video: no format reported`);
  }
  const streams = raw.streams.map(toStream);
  const audio = streams.find((s): s is AudioStreamInfo => s.type === 'audio') ?? null;
  const video =
    streams.find(
      (s, i): s is VideoStreamInfo => s.type === 'video' && raw.streams?.[i]?.disposition?.attached_pic !== 1,
    ) ?? null;
  return {
    path,
    formatName: raw.format.format_name ?? 'unknown',
    durationSeconds: toNumber(raw.format.duration),
    bitRate: toNumber(raw.format.bit_rate),
    streams,
    audio,
    video,
  };
}
