import { parseAvcDecoderConfig, type AvcDecoderConfig } from './avc-decoder-config.ts';
import { LiveMediaError } from './errors.ts';
import { FlvTagReader, type FlvTag } from './flv-tag-reader.ts';
import { LiveFfmpegEncoder } from './live-ffmpeg-encoder.ts';
import { liveFrameBytes, liveVideoArgs, resolveLiveVideoOptions, type LiveVideoEncoderOptions, type ResolvedLiveVideoOptions } from './live-video-options.ts';

/** One encoded frame: the NAL units of one access unit, each behind a 4-byte big-endian length (MP4 sample form). */
export interface VideoAccessUnit {
  /** Which frame written this is, from 0. */
  index: number;
  /** `index / fps`: no B-frames, so decode and presentation times are the same. */
  ptsSeconds: number;
  /** An IDR frame: a decoder may start here. */
  keyframe: boolean;
  data: Buffer;
}

export interface LiveVideoEncoderEvents {
  /** The stream's parameter sets, once, just before the first access unit (x264 starts with the first frame). */
  decoderConfig: [AvcDecoderConfig];
  /** Each access unit as soon as ffmpeg writes it, in order. */
  accessUnit: [VideoAccessUnit];
  /** ffmpeg failed or its output did not parse; only emitted when someone listens (encode and close reject too). */
  error: [Error];
}

const FLV_VIDEO_TAG = 9;
const FLV_CODEC_AVC = 7;
const AVC_SEQUENCE_HEADER = 0;
const AVC_NALU = 1;

/**
 * One long-lived ffmpeg (libx264, zerolatency, no B-frames) turning raw frames into H.264 access units, handed out
 * one per frame as soon as x264 has coded it:
 *
 * ```ts
 * const encoder = new LiveVideoEncoder({ width: 512, height: 512, fps: 25 });
 * encoder.on('accessUnit', (unit) => send(unit));
 * await encoder.encode(yuv420pFrame); // resolves once ffmpeg took the bytes: the buffer may be reused
 * await encoder.close(); // every access unit has been emitted
 * ```
 */
export class LiveVideoEncoder extends LiveFfmpegEncoder<LiveVideoEncoderEvents> {
  readonly options: Readonly<ResolvedLiveVideoOptions>;
  /** Bytes `encode` takes per frame. */
  readonly frameBytes: number;
  private readonly reader = new FlvTagReader();
  private config: AvcDecoderConfig | null = null;
  private framesWritten = 0;
  private unitsOut = 0;

  constructor(options: LiveVideoEncoderOptions) {
    const resolved = Object.freeze(resolveLiveVideoOptions(options));
    super('video', resolved.ffmpegPath, liveVideoArgs(resolved));
    this.options = resolved;
    this.frameBytes = liveFrameBytes(this.options);
  }

  /** The stream's parameter sets (null until the first frame is coded). */
  get decoderConfig(): AvcDecoderConfig | null {
    return this.config;
  }

  /** Frames written and not yet out as access units: the encoder's queue. */
  get pendingFrames(): number {
    return this.framesWritten - this.unitsOut;
  }

  /** Sends one frame; resolves once ffmpeg took it. Await it: that is the backpressure. */
  async encode(frame: Uint8Array): Promise<void> {
    this.checkOpen();
    if (frame.length !== this.frameBytes) {
      const { width, height, pixelFormat } = this.options;
      throw new LiveMediaError('LIVE_MEDIA_BAD_INPUT', `A frame must be ${width}x${height} ${pixelFormat} = ${this.frameBytes} bytes. Passed: ${frame.length} bytes`);
    }
    this.framesWritten += 1;
    await this.process.write(frame);
  }

  protected parse(chunk: Buffer, events: Array<() => void>): void {
    for (const tag of this.reader.push(chunk)) this.onTag(tag, events);
  }

  private onTag(tag: FlvTag, events: Array<() => void>): void {
    if (tag.type !== FLV_VIDEO_TAG) return;
    const codec = tag.data[0]! & 0x0f;
    if (codec !== FLV_CODEC_AVC || tag.data.length < 5) {
      throw new LiveMediaError('LIVE_MEDIA_BAD_STREAM', `Expected an H.264 FLV video tag. Got codec ${codec}, ${tag.data.length} bytes`);
    }
    const packetType = tag.data[1]!;
    const payload = tag.data.subarray(5);
    if (packetType === AVC_SEQUENCE_HEADER) {
      const config = parseAvcDecoderConfig(payload);
      this.config = config;
      events.push(() => this.emit('decoderConfig', config));
    } else if (packetType === AVC_NALU) {
      if (this.config === null) throw new LiveMediaError('LIVE_MEDIA_BAD_STREAM', 'An H.264 access unit came before the sequence header');
      const index = this.unitsOut++;
      const unit: VideoAccessUnit = { index, ptsSeconds: index / this.options.fps, keyframe: tag.data[0]! >> 4 === 1, data: payload };
      events.push(() => this.emit('accessUnit', unit));
    }
  }
}
