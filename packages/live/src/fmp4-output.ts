import { LiveFmp4Stream } from '@portrait-farm/live-media';
import { createLiveEncoders, type SessionMediaWriter } from './live-encoders.ts';

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
export interface Fmp4Output extends SessionMediaWriter {
  /** Encodes what is left and sends the last fragments. */
  close(): Promise<void>;
  /** Stops the encoders at once. */
  destroy(): Promise<void>;
}

export function createFmp4Output(options: Fmp4OutputOptions): Fmp4Output {
  const encoders = createLiveEncoders(options);
  const { video, audio } = encoders;
  let fragments = 0;
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
    writeAudio: encoders.writeAudio,
    writeVideo: encoders.writeVideo,
    async close() {
      await encoders.close();
      stream.finish();
    },
    destroy: encoders.destroy,
  };
}
