import { LiveAudioEncoder, LiveFmp4Stream, LiveVideoEncoder } from '@portrait-farm/live-media';
import type { LiveFrame } from './live-session.ts';

/** Options of {@link createFmp4Output}. */
export interface Fmp4OutputOptions {
  width: number;
  height: number;
  fps: number;
  /** Receives the init segment (with the MIME type a SourceBuffer takes), then one fragment per frame, in order. */
  onSegment: (segment: { kind: 'init' | 'fragment'; bytes: Buffer; mimeType: string; slot: number | null }) => void;
}

/**
 * A session's frames and sound as fragmented MP4 (H.264 without B-frames, Opus), one fragment per frame. A frame's
 * fragment goes out once its sound is coded too, and the Opus encoder holds its newest packet back until the next
 * one: so the sound goes in when a slot is planned, ahead of its picture, and the picture does not wait for it.
 */
export interface Fmp4Output {
  /** Takes a slot's 16 kHz sound, in slot order, as soon as the slot is planned. */
  writeAudio(samples: Float32Array): Promise<void>;
  /** Takes a frame's picture (yuv420p), in slot order; resolves once the encoder has it. */
  writeVideo(frame: LiveFrame): Promise<void>;
  /** Encodes what is left and sends the last fragments. */
  close(): Promise<void>;
  /** Stops the encoders at once. */
  destroy(): Promise<void>;
}

export function createFmp4Output(options: Fmp4OutputOptions): Fmp4Output {
  const video = new LiveVideoEncoder({ width: options.width, height: options.height, fps: options.fps, pixelFormat: 'yuv420p' });
  const audio = new LiveAudioEncoder({ sampleRate: 16000, sampleFormat: 'f32' });
  let fragments = 0;
  let audioWritten: Promise<void> = Promise.resolve();
  const stream = new LiveFmp4Stream({
    width: options.width,
    height: options.height,
    fps: options.fps,
    withAudio: true,
    onSegment: (segment) => options.onSegment({ ...segment, slot: segment.kind === 'fragment' ? fragments++ : null }),
  });
  video.on('decoderConfig', (config) => stream.setDecoderConfig(config));
  video.on('accessUnit', (unit) => stream.addVideo(unit));
  audio.on('header', (head) => stream.setOpusHead(head));
  audio.on('packet', (packet) => stream.addAudio(packet));
  return {
    writeAudio(samples) {
      audioWritten = audioWritten.then(() => audio.encode(samples));
      return audioWritten;
    },
    writeVideo(frame) {
      return video.encode(frame.picture);
    },
    async close() {
      await audioWritten;
      await Promise.all([video.close(), audio.close()]);
      stream.finish();
    },
    async destroy() {
      await Promise.all([video.destroy(), audio.destroy()]);
    },
  };
}
