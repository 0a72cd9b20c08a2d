import type { PlayerFigures } from './mse-player.ts';

/**
 * The video receiver's jitterBufferTarget (ms). Even with the packets arriving evenly, Chromium plays the sound 30-50
 * ms after the picture (its audio jitter buffer and output hold more than the video's), and its A/V sync takes about
 * 10 s to make that up. Holding the picture this long from the start plays it with the sound (docs/realtime.md
 * "WebRTC"); it delays nothing that can be seen or heard, as the sound is the later of the two.
 */
const VIDEO_JITTER_BUFFER_TARGET_MS = 60;

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

  constructor(video: HTMLVideoElement) {
    this.#video = video;
    video.removeAttribute('src');
    this.#peer.addEventListener('track', (event) => {
      if (event.track.kind === 'video') event.receiver.jitterBufferTarget = VIDEO_JITTER_BUFFER_TARGET_MS;
      if (video.srcObject !== event.streams[0]) video.srcObject = event.streams[0] ?? null;
      void video.play().catch(() => {});
    });
    video.addEventListener('waiting', () => (this.#stalls += 1));
    const count = (): void => {
      this.#presented += 1;
      video.requestVideoFrameCallback(count);
    };
    video.requestVideoFrameCallback(count);
    this.#timer = window.setInterval(() => void this.#readStats(), 1000);
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
    report.forEach((entry: { type: string; kind?: string; jitterBufferDelay?: number; jitterBufferEmittedCount?: number; framesDropped?: number }) => {
      if (entry.type !== 'inbound-rtp' || entry.kind !== 'video') return;
      if ((entry.jitterBufferEmittedCount ?? 0) > 0) this.#behindSeconds = (entry.jitterBufferDelay ?? 0) / entry.jitterBufferEmittedCount!;
      this.#dropped = entry.framesDropped ?? 0;
    });
  }
}
