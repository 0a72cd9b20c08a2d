import { liveEdgeAction } from './live-edge.ts';

/** Figures of what the page shows, for the latency panel. */
export interface PlayerFigures {
  /** Seconds between the playback position and the newest frame buffered. */
  behindSeconds: number;
  presentedFrames: number;
  droppedFrames: number;
  /** Playback stalls (the `waiting` event) since the stream started. */
  stalls: number;
}

/**
 * Plays a session's fMP4 through Media Source Extensions: the init segment, then fragments appended in order
 * (queued while the SourceBuffer is busy), kept near the live edge.
 */
export class MsePlayer {
  readonly #video: HTMLVideoElement;
  readonly #source = new MediaSource();
  #buffer: SourceBuffer | null = null;
  #queue: ArrayBuffer[] = [];
  #stalls = 0;
  #presented = 0;
  #timer: number | null = null;

  constructor(video: HTMLVideoElement) {
    this.#video = video;
    video.src = URL.createObjectURL(this.#source);
    video.addEventListener('waiting', () => (this.#stalls += 1));
    const count = (): void => {
      this.#presented += 1;
      video.requestVideoFrameCallback(count);
    };
    video.requestVideoFrameCallback(count);
  }

  /** Opens the SourceBuffer for the stream's MIME type (the `ready` message's). */
  async open(mimeType: string): Promise<void> {
    if (!MediaSource.isTypeSupported(mimeType)) throw new Error(`This browser cannot play ${mimeType} through Media Source Extensions.`);
    if (this.#source.readyState !== 'open') await new Promise((resolve) => this.#source.addEventListener('sourceopen', resolve, { once: true }));
    this.#buffer = this.#source.addSourceBuffer(mimeType);
    this.#buffer.mode = 'segments';
    this.#buffer.addEventListener('updateend', () => this.#appendNext());
    this.#timer = window.setInterval(() => this.#followEdge(), 250);
  }

  append(segment: ArrayBuffer): void {
    this.#queue.push(segment);
    this.#appendNext();
  }

  figures(): PlayerFigures {
    const quality = this.#video.getVideoPlaybackQuality();
    const end = this.#bufferedEnd();
    return {
      behindSeconds: end === null ? 0 : Math.max(0, end - this.#video.currentTime),
      presentedFrames: this.#presented,
      droppedFrames: quality.droppedVideoFrames,
      stalls: this.#stalls,
    };
  }

  close(): void {
    if (this.#timer !== null) window.clearInterval(this.#timer);
    if (this.#source.readyState === 'open') this.#source.endOfStream();
  }

  #appendNext(): void {
    const buffer = this.#buffer;
    if (buffer === null || buffer.updating || this.#queue.length === 0) return;
    buffer.appendBuffer(this.#queue.shift()!);
    if (this.#video.paused && this.#bufferedEnd() !== null) void this.#video.play().catch(() => {});
  }

  #bufferedEnd(): number | null {
    const ranges = this.#video.buffered;
    return ranges.length === 0 ? null : ranges.end(ranges.length - 1);
  }

  #followEdge(): void {
    const action = liveEdgeAction(this.#video.currentTime, this.#bufferedEnd());
    if (action.kind === 'jump') this.#video.currentTime = action.to;
    else if (action.kind === 'rate' && this.#video.playbackRate !== action.rate) this.#video.playbackRate = action.rate;
  }
}
