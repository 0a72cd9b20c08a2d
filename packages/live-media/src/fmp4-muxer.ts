import { avcCodecString, type AvcDecoderConfig } from './avc-decoder-config.ts';
import { LiveMediaError } from './errors.ts';
import { AUDIO_TRACK_ID, initSegment, VIDEO_TIMESCALE, VIDEO_TRACK_ID } from './fmp4-init-segment.ts';
import type { AudioPacket } from './live-audio-encoder.ts';
import type { VideoAccessUnit } from './live-video-encoder.ts';
import { box, fullBox, u32, u64 } from './mp4-box-writer.ts';
import type { OpusHead } from './opus-packet.ts';

/** Options of {@link Fmp4Muxer}. */
export interface Fmp4MuxerOptions {
  /** The video track: frame size and rate, and the encoder's parameter sets (`LiveVideoEncoder.decoderConfig`). */
  video: { width: number; height: number; fps: number; decoderConfig: AvcDecoderConfig };
  /**
   * The Opus track (`LiveAudioEncoder.opusHead`), or null for video alone.
   * @defaultValue null
   */
  audio?: { head: OpusHead } | null;
}

interface TrackRun {
  trackId: number;
  baseDecodeTime: number;
  samples: Array<{ duration: number; size: number; flags: number }>;
  data: Buffer[];
}

const SAMPLE_FLAGS = Object.freeze({
  /** sample_depends_on = 2: decodes alone. */
  sync: 0x02000000,
  /** sample_depends_on = 1 and sample_is_non_sync_sample. */
  predicted: 0x01010000,
});
const TFHD_DEFAULT_BASE_IS_MOOF = 0x020000;
const TRUN_DATA_OFFSET = 0x000001;
const TRUN_SAMPLE_DURATION = 0x000100;
const TRUN_SAMPLE_SIZE = 0x000200;
const TRUN_SAMPLE_FLAGS = 0x000400;

/**
 * Fragmented MP4 for a live stream that Media Source Extensions play as it arrives: `init()` once, then one
 * `fragment()` per video access unit (or two) with the Opus packets of the same time, appended to one SourceBuffer
 * of type {@link Fmp4Muxer.mimeType}. Video runs on a 90 kHz clock, Opus on 48 kHz; each fragment's tfdt carries the
 * decode time of its first sample, taken from the units' and packets' own timestamps, so a gap stays a gap.
 */
export class Fmp4Muxer {
  private readonly video: Fmp4MuxerOptions['video'];
  private readonly audio: { head: OpusHead } | null;
  private sequenceNumber = 0;

  constructor(options: Fmp4MuxerOptions) {
    const { width, height, fps } = options.video;
    if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0 && width < 65536 && height < 65536)) {
      throw new LiveMediaError('LIVE_MEDIA_BAD_OPTION', `video width and height must be integers between 1 and 65535. Passed: ${width}x${height}`);
    }
    if (!(fps > 0 && fps <= 240)) throw new LiveMediaError('LIVE_MEDIA_BAD_OPTION', `video fps must be between 0 and 240. Passed: ${fps}`);
    this.video = options.video;
    this.audio = options.audio ?? null;
  }

  /** The RFC 6381 codecs list, e.g. `avc1.42C01E, opus`. */
  codecs(): string {
    return muxedCodecs(this.video.decoderConfig, this.audio !== null);
  }

  /** What `MediaSource.addSourceBuffer` takes: `video/mp4; codecs="avc1.42C01E, opus"`. */
  mimeType(): string {
    return `video/mp4; codecs="${this.codecs()}"`;
  }

  /** ftyp + moov: what a player needs before any fragment. */
  init(): Buffer {
    const { width, height, decoderConfig } = this.video;
    return initSegment({ video: { width, height, decoderConfig }, audio: this.audio });
  }

  /**
   * moof + mdat carrying the given access units (consecutive, in order) and Opus packets (consecutive, in order).
   * Either list may be empty, not both; audio packets need the muxer built with `audio`.
   */
  fragment(video: readonly VideoAccessUnit[], audio: readonly AudioPacket[] = []): Buffer {
    if (video.length === 0 && audio.length === 0) throw new LiveMediaError('LIVE_MEDIA_BAD_INPUT', 'A fragment needs at least one access unit or audio packet. Passed: none');
    if (audio.length > 0 && this.audio === null) throw new LiveMediaError('LIVE_MEDIA_BAD_INPUT', `This muxer has no audio track. Passed: ${audio.length} audio packets`);
    const runs: TrackRun[] = [];
    if (video.length > 0) runs.push(this.videoRun(video));
    if (audio.length > 0) runs.push(audioRun(audio));
    this.sequenceNumber += 1;
    // The trun data offsets count from the moof's first byte, so the moof is laid out once to learn its size.
    const moofSize = this.movieFragment(runs, 0).length;
    const moof = this.movieFragment(runs, moofSize + 8);
    const mdat = box('mdat', runs.flatMap((run) => run.data));
    return Buffer.concat([moof, mdat]);
  }

  private videoRun(units: readonly VideoAccessUnit[]): TrackRun {
    const ticks = (seconds: number): number => Math.round(seconds * VIDEO_TIMESCALE);
    return {
      trackId: VIDEO_TRACK_ID,
      baseDecodeTime: ticks(units[0]!.ptsSeconds),
      samples: units.map((unit) => ({
        duration: ticks(unit.ptsSeconds + 1 / this.video.fps) - ticks(unit.ptsSeconds),
        size: unit.data.length,
        flags: unit.keyframe ? SAMPLE_FLAGS.sync : SAMPLE_FLAGS.predicted,
      })),
      data: units.map((unit) => unit.data),
    };
  }

  private movieFragment(runs: readonly TrackRun[], firstDataOffset: number): Buffer {
    let dataOffset = firstDataOffset;
    const trafs = runs.map((run) => {
      const trun = fullBox(
        'trun', 0, TRUN_DATA_OFFSET | TRUN_SAMPLE_DURATION | TRUN_SAMPLE_SIZE | TRUN_SAMPLE_FLAGS,
        u32(run.samples.length), u32(dataOffset),
        run.samples.map((sample) => [u32(sample.duration), u32(sample.size), u32(sample.flags)]),
      );
      dataOffset += run.samples.reduce((sum, sample) => sum + sample.size, 0);
      return box('traf', fullBox('tfhd', 0, TFHD_DEFAULT_BASE_IS_MOOF, u32(run.trackId)), fullBox('tfdt', 1, 0, u64(run.baseDecodeTime)), trun);
    });
    return box('moof', fullBox('mfhd', 0, 0, u32(this.sequenceNumber)), trafs);
  }
}

function audioRun(packets: readonly AudioPacket[]): TrackRun {
  return {
    trackId: AUDIO_TRACK_ID,
    baseDecodeTime: packets[0]!.startSample,
    samples: packets.map((packet) => ({ duration: packet.sampleCount, size: packet.data.length, flags: SAMPLE_FLAGS.sync })),
    data: packets.map((packet) => packet.data),
  };
}

/** The codecs list of a stream with this video (and Opus when `withOpus`), e.g. `avc1.42C01E, opus`. */
export function muxedCodecs(decoderConfig: Pick<AvcDecoderConfig, 'profile' | 'compatibility' | 'level'>, withOpus: boolean): string {
  return withOpus ? `${avcCodecString(decoderConfig)}, opus` : avcCodecString(decoderConfig);
}
