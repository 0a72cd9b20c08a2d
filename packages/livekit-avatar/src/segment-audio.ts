import { createPcm16Resampler, type Pcm16Rate } from '@portrait-farm/audio-features';
import { NUM_CHANNELS_ATTRIBUTE, SAMPLE_RATE_ATTRIBUTE } from './avatar-protocol.ts';
import { LiveKitAvatarError } from './livekit-avatar-error.ts';

const SUPPORTED_RATES: readonly Pcm16Rate[] = [16000, 24000];

/** The format of one `lk.audio_stream` segment, read from its attributes. */
export interface SegmentFormat {
  sampleRate: Pcm16Rate;
  channels: 1 | 2;
}

export function segmentFormat(attributes: Record<string, string> | undefined): SegmentFormat {
  const rate = Number(attributes?.[SAMPLE_RATE_ATTRIBUTE]);
  const channels = Number(attributes?.[NUM_CHANNELS_ATTRIBUTE] ?? '1');
  if (!SUPPORTED_RATES.includes(rate as Pcm16Rate)) {
    throw new LiveKitAvatarError('LIVEKIT_AVATAR_BAD_AUDIO', `the audio stream's ${SAMPLE_RATE_ATTRIBUTE} must be 16000 or 24000. Passed: ${String(attributes?.[SAMPLE_RATE_ATTRIBUTE])}`);
  }
  if (channels !== 1 && channels !== 2) {
    throw new LiveKitAvatarError('LIVEKIT_AVATAR_BAD_AUDIO', `the audio stream's ${NUM_CHANNELS_ATTRIBUTE} must be 1 or 2. Passed: ${String(attributes?.[NUM_CHANNELS_ATTRIBUTE])}`);
  }
  return { sampleRate: rate as Pcm16Rate, channels };
}

/** Turns a segment's PCM16 chunks (any length, interleaved when stereo) into 16 kHz mono float samples. */
export interface SegmentAudio {
  push(chunk: Uint8Array): Float32Array;
  flush(): Float32Array;
}

export function createSegmentAudio(format: SegmentFormat): SegmentAudio {
  const resampler = createPcm16Resampler(format.sampleRate);
  if (format.channels === 1) return { push: (chunk) => resampler.push(chunk), flush: () => resampler.flush() };
  // Stereo: frames of 4 bytes, averaged to mono; a partial frame waits for the next chunk.
  let carry = new Uint8Array(0);
  return {
    push(chunk) {
      const bytes = carry.length === 0 ? chunk : concat(carry, chunk);
      const whole = bytes.length - (bytes.length % 4);
      carry = bytes.slice(whole);
      const view = new DataView(bytes.buffer, bytes.byteOffset, whole);
      const mono = new Uint8Array(whole / 2);
      const out = new DataView(mono.buffer);
      for (let i = 0; i < whole / 4; i++) out.setInt16(i * 2, Math.round((view.getInt16(i * 4, true) + view.getInt16(i * 4 + 2, true)) / 2), true);
      return resampler.push(mono);
    },
    flush: () => resampler.flush(),
  };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
