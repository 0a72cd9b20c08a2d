import { setTimeout as sleep } from 'node:timers/promises';
import { LiveAudioEncoder } from '../live-audio-encoder.ts';
import { LiveFmp4Stream } from '../live-fmp4-stream.ts';
import { LiveVideoEncoder } from '../live-video-encoder.ts';
import { clickTrack, syntheticYuvFrame } from './synthetic-media.ts';

/** Where segments go: a WebSocket (the `ws` package's, or anything with the same two methods). */
export interface Viewer {
  send(data: string | Buffer): void;
  close(): void;
}

export interface SyntheticBroadcastOptions {
  size: number;
  fps: number;
  frames: number;
  sampleRate: number;
}

/**
 * What a session does, minus the engine: synthetic frames and a click track on the session's clock into both live
 * encoders, the segments to every viewer. The first viewer starts the stream; a viewer joining later gets the MIME
 * type, `joinSegments()` and the live fragments from then on. Each viewer gets `{"mimeType": ...}` as text first.
 */
export class SyntheticBroadcast {
  /** When each frame went into the encoder, on the wall clock (ms since the epoch). */
  readonly frameInWallClockMs: number[] = [];
  private readonly viewers = new Set<Viewer>();
  private stream: LiveFmp4Stream | null = null;
  private mimeType: string | null = null;

  constructor(private readonly options: SyntheticBroadcastOptions) {}

  addViewer(viewer: Viewer): void {
    if (this.stream === null) {
      this.viewers.add(viewer);
      void this.run().catch(() => this.closeAll());
      return;
    }
    if (this.mimeType !== null) {
      viewer.send(JSON.stringify({ mimeType: this.mimeType }));
      for (const segment of this.stream.joinSegments()) viewer.send(segment);
    }
    this.viewers.add(viewer);
  }

  private closeAll(): void {
    for (const viewer of this.viewers) viewer.close();
    this.viewers.clear();
  }

  private async run(): Promise<void> {
    const { size, fps, frames, sampleRate } = this.options;
    const video = new LiveVideoEncoder({ width: size, height: size, fps });
    const audio = new LiveAudioEncoder({ sampleRate });
    const stream = new LiveFmp4Stream({
      width: size, height: size, fps, withAudio: true,
      onSegment: ({ kind, bytes, mimeType }) => {
        for (const viewer of this.viewers) {
          if (kind === 'init') viewer.send(JSON.stringify({ mimeType }));
          viewer.send(bytes);
        }
        this.mimeType = mimeType;
      },
    });
    this.stream = stream;
    video.on('decoderConfig', (config) => stream.setDecoderConfig(config));
    video.on('accessUnit', (unit) => stream.addVideo(unit));
    audio.on('header', (head) => stream.setOpusHead(head));
    audio.on('packet', (packet) => stream.addAudio(packet));
    const sound = clickTrack(sampleRate, frames / fps);
    const samplesPerFrame = sampleRate / fps;
    const encodeFrame = (i: number): Promise<unknown> => {
      this.frameInWallClockMs[i] = performance.timeOrigin + performance.now();
      return Promise.all([video.encode(syntheticYuvFrame(size, size, i)), audio.encode(sound.subarray(i * samplesPerFrame, (i + 1) * samplesPerFrame))]);
    };
    // ffmpeg takes a few hundred milliseconds to start and x264 starts with the first frame: the clock starts once
    // the first frame and the Opus header are out, as a session primes its encoders when it is created.
    const firstOut = Promise.all([new Promise((resolve) => video.once('accessUnit', resolve)), new Promise((resolve) => audio.once('header', resolve))]);
    await encodeFrame(0);
    await firstOut;
    const start = performance.now() - 1000 / fps;
    for (let i = 1; i < frames; i++) {
      const due = start + (i * 1000) / fps - performance.now();
      if (due > 0) await sleep(due);
      await encodeFrame(i);
    }
    await Promise.all([video.close(), audio.close()]);
    stream.finish();
    this.closeAll();
  }
}
