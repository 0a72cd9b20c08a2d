import type { AvcDecoderConfig } from './avc-decoder-config.ts';
import { Fmp4Muxer } from './fmp4-muxer.ts';
import type { AudioPacket } from './live-audio-encoder.ts';
import type { VideoAccessUnit } from './live-video-encoder.ts';
import { OPUS_CLOCK_RATE, type OpusHead } from './opus-packet.ts';

/** Options of {@link LiveFmp4Stream}. */
export interface LiveFmp4StreamOptions {
  width: number;
  height: number;
  fps: number;
  /** Whether the stream carries an Opus track (then every fragment waits for the sound of its frame). */
  withAudio: boolean;
  /** Receives the init segment once, then each fragment, in the order a SourceBuffer must take them. */
  onSegment: (segment: { kind: 'init' | 'fragment'; bytes: Buffer; mimeType: string }) => void;
}

/**
 * Pairs what the two live encoders hand out into MSE segments: the init segment once the parameter sets and the
 * Opus header are known, then one fragment per access unit carrying the Opus packets that start before the frame
 * ends. A frame waits until the sound coded from its own time is out: it reaches the frame's end less the encoder's
 * 2.5 ms look-ahead, which needs the next frame's samples (the session feeds silence while nobody speaks, so both
 * clocks advance); `finish` sends what is left.
 */
export class LiveFmp4Stream {
  private decoderConfig: AvcDecoderConfig | null = null;
  private opusHead: OpusHead | null = null;
  private muxer: Fmp4Muxer | null = null;
  private readonly videoQueue: VideoAccessUnit[] = [];
  private readonly audioQueue: AudioPacket[] = [];
  private audioEndSeconds = -Infinity;
  private initSegment: Buffer | null = null;
  private sinceKeyframe: Buffer[] = [];

  constructor(private readonly options: LiveFmp4StreamOptions) {}

  setDecoderConfig(config: AvcDecoderConfig): void {
    this.decoderConfig = config;
    this.flush(false);
  }

  setOpusHead(head: OpusHead): void {
    this.opusHead = head;
    this.flush(false);
  }

  addVideo(unit: VideoAccessUnit): void {
    this.videoQueue.push(unit);
    this.flush(false);
  }

  addAudio(packet: AudioPacket): void {
    this.audioQueue.push(packet);
    this.audioEndSeconds = packet.ptsSeconds + packet.durationSeconds;
    this.flush(false);
  }

  /**
   * What a viewer joining now appends: the init segment and the fragments from the last keyframe on (empty before
   * the first keyframe went out). Its first fragment does not start at 0: the player seeks to `buffered.start(0)`.
   */
  joinSegments(): Buffer[] {
    return this.initSegment === null || this.sinceKeyframe.length === 0 ? [] : [this.initSegment, ...this.sinceKeyframe];
  }

  /** Sends every frame and packet still queued (after both encoders closed). */
  finish(): void {
    this.flush(true);
  }

  private flush(final: boolean): void {
    const muxer = this.ensureMuxer();
    if (muxer === null) return;
    const frameSeconds = 1 / this.options.fps;
    // The encoder's look-ahead: the decoded sound of a frame's own samples ends this much before the frame does; the
    // rest comes out of the next frame's samples, and with the next frame's fragment.
    const lookaheadSeconds = this.opusHead === null ? 0 : this.opusHead.preSkip / OPUS_CLOCK_RATE;
    while (this.videoQueue.length > 0) {
      const frameEnd = this.videoQueue[0]!.ptsSeconds + frameSeconds;
      if (this.options.withAudio && !final && this.audioEndSeconds < frameEnd - lookaheadSeconds - 1e-9) break;
      const unit = this.videoQueue.shift()!;
      let taken = 0;
      while (taken < this.audioQueue.length && this.audioQueue[taken]!.ptsSeconds < frameEnd - 1e-9) taken += 1;
      if (unit.keyframe) this.sinceKeyframe = [];
      this.send(muxer.fragment([unit], this.audioQueue.splice(0, taken)), muxer);
    }
    if (final && this.audioQueue.length > 0) this.send(muxer.fragment([], this.audioQueue.splice(0)), muxer);
  }

  private ensureMuxer(): Fmp4Muxer | null {
    if (this.muxer !== null) return this.muxer;
    if (this.decoderConfig === null || (this.options.withAudio && this.opusHead === null)) return null;
    const { width, height, fps } = this.options;
    this.muxer = new Fmp4Muxer({ video: { width, height, fps, decoderConfig: this.decoderConfig }, audio: this.opusHead === null ? null : { head: this.opusHead } });
    this.initSegment = this.muxer.init();
    this.options.onSegment({ kind: 'init', bytes: this.initSegment, mimeType: this.muxer.mimeType() });
    return this.muxer;
  }

  private send(bytes: Buffer, muxer: Fmp4Muxer): void {
    if (this.initSegment !== null) this.sinceKeyframe.push(bytes);
    this.options.onSegment({ kind: 'fragment', bytes, mimeType: muxer.mimeType() });
  }
}
