import { VIDEO_TARGET_START_MS, nextVideoTarget } from './av-sync.ts';
import type { PlayerFigures } from './mse-player.ts';

/**
 * Plays a session's WebRTC stream (transport=webrtc, docs/realtime.md "WebRTC"): answers the worker's offer with
 * every candidate in the answer (no trickle) and shows the stream in the <video>. The browser's jitter buffer keeps
 * it live: `behindSeconds` is the video jitter buffer's mean delay, from getStats.
 */
export class WebRtcPlayer {
  readonly #video: HTMLVideoElement;
  readonly #peer = new RTCPeerConnection();
  #presented = 0;
  #stalls = 0;
  #behindSeconds = 0;
  #dropped = 0;
  #timer: number;
  #videoReceiver: RTCRtpReceiver | null = null;
  #videoTargetMs = VIDEO_TARGET_START_MS;

  constructor(video: HTMLVideoElement) {
    this.#video = video;
    video.removeAttribute('src');
    this.#peer.addEventListener('track', (event) => {
      if (event.track.kind === 'video') {
        this.#videoReceiver = event.receiver;
        event.receiver.jitterBufferTarget = this.#videoTargetMs;
      }
      if (video.srcObject !== event.streams[0]) video.srcObject = event.streams[0] ?? null;
      void video.play().catch(() => {});
    });
    video.addEventListener('waiting', () => (this.#stalls += 1));
    const count = (): void => {
      this.#presented += 1;
      video.requestVideoFrameCallback(count);
    };
    video.requestVideoFrameCallback(count);
    this.#timer = window.setInterval(() => void this.#readStats(), 500);
  }

  /** The answer to the worker's `webrtc_offer`, once this side's candidates are gathered. */
  async answer(offer: string): Promise<string> {
    await this.#peer.setRemoteDescription({ type: 'offer', sdp: offer });
    await this.#peer.setLocalDescription(await this.#peer.createAnswer());
    if (this.#peer.iceGatheringState !== 'complete') {
      await new Promise<void>((resolve) => {
        const check = (): void => {
          if (this.#peer.iceGatheringState !== 'complete') return;
          this.#peer.removeEventListener('icegatheringstatechange', check);
          resolve();
        };
        this.#peer.addEventListener('icegatheringstatechange', check);
      });
    }
    const sdp = this.#peer.localDescription?.sdp;
    if (sdp === undefined) throw new Error('The browser made no WebRTC answer.');
    return sdp;
  }

  figures(): PlayerFigures {
    return { behindSeconds: this.#behindSeconds, presentedFrames: this.#presented, droppedFrames: this.#dropped, stalls: this.#stalls };
  }

  close(): void {
    window.clearInterval(this.#timer);
    this.#peer.close();
    this.#video.srcObject = null;
  }

  async #readStats(): Promise<void> {
    const report = await this.#peer.getStats();
    const playout: { audio?: number; video?: number } = {};
    report.forEach((entry: { type: string; kind?: string; jitterBufferDelay?: number; jitterBufferEmittedCount?: number; framesDropped?: number; estimatedPlayoutTimestamp?: number }) => {
      if (entry.type !== 'inbound-rtp' || (entry.kind !== 'video' && entry.kind !== 'audio')) return;
      playout[entry.kind] = entry.estimatedPlayoutTimestamp;
      if (entry.kind !== 'video') return;
      if ((entry.jitterBufferEmittedCount ?? 0) > 0) this.#behindSeconds = (entry.jitterBufferDelay ?? 0) / entry.jitterBufferEmittedCount!;
      this.#dropped = entry.framesDropped ?? 0;
    });
    // Holds the picture for the sound when Chromium plays the sound late (av-sync.ts).
    const target = nextVideoTarget(this.#videoTargetMs, (playout.audio ?? Number.NaN) - (playout.video ?? Number.NaN));
    if (this.#videoReceiver !== null && target !== this.#videoTargetMs) {
      this.#videoTargetMs = target;
      this.#videoReceiver.jitterBufferTarget = target;
    }
  }
}
