import { LiveAudioEncoder, LiveVideoEncoder } from '@portrait-farm/live-media';
import type { LiveFrame } from './live-session.ts';

/** What a session's output does with its sound and pictures, whatever carries them (fMP4, WebRTC). */
export interface SessionMediaWriter {
  /** Takes a slot's 16 kHz sound, in slot order, as soon as the slot is planned. */
  writeAudio(samples: Float32Array): Promise<void>;
  /** Takes a frame's picture (yuv420p), in slot order; resolves once the encoder has it. */
  writeVideo(frame: LiveFrame): Promise<void>;
}

/** A session's two encoders: x264 for the pictures, Opus for the sound, written in slot order. */
export interface LiveEncoders extends SessionMediaWriter {
  readonly video: LiveVideoEncoder;
  readonly audio: LiveAudioEncoder;
  /** Codes what was written and stops both encoders. */
  close(): Promise<void>;
  /** Stops both encoders at once. */
  destroy(): Promise<void>;
}

export function createLiveEncoders(options: { width: number; height: number; fps: number; keyframeIntervalSeconds?: number }): LiveEncoders {
  const video = new LiveVideoEncoder({
    width: options.width,
    height: options.height,
    fps: options.fps,
    pixelFormat: 'yuv420p',
    ...(options.keyframeIntervalSeconds === undefined ? {} : { keyframeIntervalSeconds: options.keyframeIntervalSeconds }),
  });
  const audio = new LiveAudioEncoder({ sampleRate: 16000, sampleFormat: 'f32' });
  let audioWritten: Promise<void> = Promise.resolve();
  return {
    video,
    audio,
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
    },
    async destroy() {
      await Promise.all([video.destroy(), audio.destroy()]);
    },
  };
}
