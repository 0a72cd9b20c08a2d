import { LiveMediaError } from './errors.ts';

/** Opus always decodes at 48 kHz: granule positions, pre-skip and MP4 timestamps count 48 kHz samples. */
export const OPUS_CLOCK_RATE = 48_000;

/** The identification header of an Opus stream (RFC 7845, 5.1). */
export interface OpusHead {
  channels: number;
  /** Samples (48 kHz) the decoder drops at the start: the encoder's look-ahead. */
  preSkip: number;
  inputSampleRate: number;
  outputGain: number;
}

export function parseOpusHead(packet: Buffer): OpusHead {
  if (packet.length < 19 || packet.toString('latin1', 0, 8) !== 'OpusHead') {
    throw new LiveMediaError('LIVE_MEDIA_BAD_STREAM', `The first Ogg packet must be an OpusHead. Got ${packet.length} bytes: ${packet.subarray(0, 8).toString('hex')}`);
  }
  if (packet[18] !== 0) throw new LiveMediaError('LIVE_MEDIA_BAD_STREAM', `Only channel mapping family 0 (mono, stereo) is supported. Got: ${packet[18]}`);
  return { channels: packet[9]!, preSkip: packet.readUInt16LE(10), inputSampleRate: packet.readUInt32LE(12), outputGain: packet.readInt16LE(16) };
}

/** Frame duration of each TOC configuration, in 48 kHz samples (RFC 6716, 3.1). */
function frameSamples(config: number): number {
  if (config < 12) return [480, 960, 1920, 2880][config % 4]!;
  if (config < 16) return [480, 960][config % 2]!;
  return [120, 240, 480, 960][config % 4]!;
}

/** How many 48 kHz samples an Opus packet decodes to, from its TOC byte (and frame count byte for code 3). */
export function opusPacketSamples(packet: Uint8Array): number {
  if (packet.length === 0) throw new LiveMediaError('LIVE_MEDIA_BAD_STREAM', 'An Opus packet cannot be empty');
  const toc = packet[0]!;
  const code = toc & 0x03;
  const frames = code === 0 ? 1 : code < 3 ? 2 : (packet[1] ?? 0) & 0x3f;
  return frames * frameSamples(toc >> 3);
}
