import { EventEmitter } from 'node:events';
import { parseAvcDecoderConfig, type AvcDecoderConfig } from './avc-decoder-config.ts';
import { LiveMediaError } from './errors.ts';
import { FfmpegProcess } from './ffmpeg-process.ts';
import { FlvTagReader, type FlvTag } from './flv-tag-reader.ts';
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
export class LiveVideoEncoder extends EventEmitter<LiveVideoEncoderEvents> {
  readonly options: Readonly<ResolvedLiveVideoOptions>;
  /** Bytes `encode` takes per frame. */
  readonly frameBytes: number;
  private readonly process: FfmpegProcess;
  private readonly reader = new FlvTagReader();
  private config: AvcDecoderConfig | null = null;
  private framesWritten = 0;
  private unitsOut = 0;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private streamError: LiveMediaError | null = null;

  constructor(options: LiveVideoEncoderOptions) {
    super();
    this.options = Object.freeze(resolveLiveVideoOptions(options));
    this.frameBytes = liveFrameBytes(this.options);
    this.process = new FfmpegProcess(this.options.ffmpegPath, liveVideoArgs(this.options), (chunk) => this.onOutput(chunk));
    void this.process.ended.then(() => {
      if (this.state === 'open' && this.listenerCount('error') > 0) this.emit('error', this.streamError ?? this.process.failure());
    });
  }

  /** The stream's parameter sets (null until the first frame is coded). */
  get decoderConfig(): AvcDecoderConfig | null {
    return this.config;
  }

  /** Frames written and not yet out as access units: the encoder's queue. */
  get pendingFrames(): number {
    return this.framesWritten - this.unitsOut;
  }

  /** ffmpeg's process id (for reading its CPU time). */
  get pid(): number | undefined {
    return this.process.pid;
  }

  /** Sends one frame; resolves once ffmpeg took it. Await it: that is the backpressure. */
  async encode(frame: Uint8Array): Promise<void> {
    if (this.state !== 'open') throw new LiveMediaError('LIVE_MEDIA_ENCODER_CLOSED', `The video encoder is ${this.state}; encode() came after close()`);
    if (this.streamError !== null) throw this.streamError;
    if (frame.length !== this.frameBytes) {
      const { width, height, pixelFormat } = this.options;
      throw new LiveMediaError('LIVE_MEDIA_BAD_INPUT', `A frame must be ${width}x${height} ${pixelFormat} = ${this.frameBytes} bytes. Passed: ${frame.length} bytes`);
    }
    this.framesWritten += 1;
    await this.process.write(frame);
  }

  /** Ends the input and waits until ffmpeg has coded and this encoder emitted every frame written. */
  async close(): Promise<void> {
    if (this.state !== 'open') throw new LiveMediaError('LIVE_MEDIA_ENCODER_CLOSED', `The video encoder is ${this.state}; close() came twice`);
    this.state = 'closing';
    try {
      await this.process.finish();
      if (this.streamError !== null) throw this.streamError;
    } finally {
      this.state = 'closed';
    }
  }

  /** Kills ffmpeg; frames not yet out are dropped. */
  async destroy(): Promise<void> {
    this.state = 'closed';
    await this.process.destroy();
  }

  private onOutput(chunk: Buffer): void {
    if (this.streamError !== null) return;
    // Parsed first, emitted after: a listener's own error must not pass for a broken stream.
    const events: Array<() => void> = [];
    try {
      for (const tag of this.reader.push(chunk)) this.onTag(tag, events);
    } catch (error) {
      this.streamError = error instanceof LiveMediaError ? error : new LiveMediaError('LIVE_MEDIA_BAD_STREAM', String(error), { cause: error });
      void this.process.destroy();
    }
    for (const emit of events) emit();
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
