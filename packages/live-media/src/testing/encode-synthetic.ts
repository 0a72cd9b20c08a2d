import type { AvcDecoderConfig } from '../avc-decoder-config.ts';
import { LiveAudioEncoder, type AudioPacket } from '../live-audio-encoder.ts';
import { LiveVideoEncoder, type VideoAccessUnit } from '../live-video-encoder.ts';
import type { OpusHead } from '../opus-packet.ts';
import { clickTrack, syntheticYuvFrame } from './synthetic-media.ts';

export interface SyntheticAv {
  decoderConfig: AvcDecoderConfig;
  opusHead: OpusHead;
  units: VideoAccessUnit[];
  packets: AudioPacket[];
}

/** `frames` synthetic frames and the click track of the same length through both live encoders. */
export async function encodeSyntheticAv(options: { width: number; height: number; fps: number; frames: number; sampleRate: number; keyframeIntervalSeconds?: number }): Promise<SyntheticAv> {
  const video = new LiveVideoEncoder({ width: options.width, height: options.height, fps: options.fps, keyframeIntervalSeconds: options.keyframeIntervalSeconds ?? 2 });
  const audio = new LiveAudioEncoder({ sampleRate: options.sampleRate });
  const units: VideoAccessUnit[] = [];
  const packets: AudioPacket[] = [];
  video.on('accessUnit', (unit) => units.push(unit));
  audio.on('packet', (packet) => packets.push(packet));
  const sound = clickTrack(options.sampleRate, options.frames / options.fps);
  const samplesPerFrame = options.sampleRate / options.fps;
  for (let i = 0; i < options.frames; i++) {
    await video.encode(syntheticYuvFrame(options.width, options.height, i));
    await audio.encode(sound.subarray(Math.round(i * samplesPerFrame), Math.round((i + 1) * samplesPerFrame)));
  }
  await Promise.all([video.close(), audio.close()]);
  return { decoderConfig: video.decoderConfig!, opusHead: audio.opusHead!, units, packets };
}
