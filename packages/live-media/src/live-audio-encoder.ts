import { LiveMediaError } from './errors.ts';
import { LiveFfmpegEncoder } from './live-ffmpeg-encoder.ts';
import { OggPageReader, type OggPacket } from './ogg-page-reader.ts';
import { OPUS_CLOCK_RATE, opusPacketSamples, parseOpusHead, type OpusHead } from './opus-packet.ts';

/** Input sample rates the live audio encoder takes (libopus codes them without resampling). */
export const LIVE_AUDIO_SAMPLE_RATES = Object.freeze([8_000, 12_000, 16_000, 24_000, 48_000] as const);

/** Options of {@link LiveAudioEncoder}. */
export interface LiveAudioEncoderOptions {
  /** Input sample rate in Hz, one of {@link LIVE_AUDIO_SAMPLE_RATES} (sessions take 16 or 24 kHz). */
  sampleRate: number;
  /**
   * What `encode` takes: PCM16 (Int16Array) or float (Float32Array, -1 to 1), mono.
   * @defaultValue 's16'
   */
  sampleFormat?: 's16' | 'f32';
  /**
   * Opus bitrate in kbit/s, 6 to 256.
   * @defaultValue 32
   */
  bitrateKbps?: number;
  /**
   * The ffmpeg binary.
   * @defaultValue 'ffmpeg'
   */
  ffmpegPath?: string;
}

/** One Opus packet (20 ms) as its Ogg page gave it. */
export interface AudioPacket {
  /** Where its decoded sound starts on the stream's clock, pre-skip taken off (the first packet starts below 0). */
  ptsSeconds: number;
  durationSeconds: number;
  /** The same two in 48 kHz samples, exact: `startSample` counts from the first packet, pre-skip included. */
  startSample: number;
  sampleCount: number;
  data: Buffer;
}

export interface LiveAudioEncoderEvents {
  /** The stream's identification header (pre-skip, channels), once, before the first packet. */
  header: [OpusHead];
  packet: [AudioPacket];
  /** ffmpeg failed or its output did not parse; only emitted when someone listens (encode and close reject too). */
  error: [Error];
}

/**
 * ffmpeg's raw PCM demuxer hands the encoder blocks of about 100 ms rounded down to a power of two (1024 samples at
 * 16 kHz), waiting for a whole block; declared at a sixteenth of the real rate, its blocks are 4 to 5 ms of sound,
 * and `asetrate` puts the real rate back without touching a sample.
 */
const DECLARED_RATE_DIVISOR = 16;

/**
 * One long-lived ffmpeg (libopus, 20 ms frames, low-delay application) turning mono PCM into Opus packets, handed
 * out as soon as their Ogg page arrives:
 *
 * ```ts
 * const encoder = new LiveAudioEncoder({ sampleRate: 16000 });
 * encoder.on('packet', (packet) => send(packet));
 * await encoder.encode(pcm16Chunk);
 * await encoder.close(); // the last partial frame is padded with silence and emitted
 * ```
 */
export class LiveAudioEncoder extends LiveFfmpegEncoder<LiveAudioEncoderEvents> {
  readonly sampleRate: number;
  readonly sampleFormat: 's16' | 'f32';
  private readonly reader = new OggPageReader();
  private head: OpusHead | null = null;
  private packetsSeen = 0;
  private nextStartSample = 0;
  private samplesWritten = 0;

  constructor(options: LiveAudioEncoderOptions) {
    const sampleFormat = options.sampleFormat ?? 's16';
    const bitrateKbps = options.bitrateKbps ?? 32;
    if (!LIVE_AUDIO_SAMPLE_RATES.some((rate) => rate === options.sampleRate)) {
      throw new LiveMediaError('LIVE_MEDIA_BAD_OPTION', `sampleRate must be one of ${LIVE_AUDIO_SAMPLE_RATES.join(', ')}. Passed: ${options.sampleRate}`);
    }
    if (sampleFormat !== 's16' && sampleFormat !== 'f32') throw new LiveMediaError('LIVE_MEDIA_BAD_OPTION', `sampleFormat must be 's16' or 'f32'. Passed: ${String(sampleFormat)}`);
    if (!(Number.isInteger(bitrateKbps) && bitrateKbps >= 6 && bitrateKbps <= 256)) {
      throw new LiveMediaError('LIVE_MEDIA_BAD_OPTION', `bitrateKbps must be an integer between 6 and 256. Passed: ${bitrateKbps}`);
    }
    const args = [
      '-nostdin', '-v', 'error', '-hide_banner',
      // Without these ffmpeg reads 130 ms of sound to probe an input whose format it is told, before coding any.
      '-probesize', '32', '-analyzeduration', '0',
      '-f', sampleFormat === 's16' ? 's16le' : 'f32le', '-ar', String(options.sampleRate / DECLARED_RATE_DIVISOR), '-ac', '1', '-i', 'pipe:0',
      '-af', `asetrate=${options.sampleRate}`,
      '-c:a', 'libopus', '-application', 'lowdelay', '-frame_duration', '20', '-b:a', `${bitrateKbps}k`,
      '-f', 'ogg', '-page_duration', '20000', '-flush_packets', '1', 'pipe:1',
    ];
    super('audio', options.ffmpegPath ?? 'ffmpeg', args);
    this.sampleRate = options.sampleRate;
    this.sampleFormat = sampleFormat;
  }

  /** The stream's identification header (null until ffmpeg has written it). */
  get opusHead(): OpusHead | null {
    return this.head;
  }

  /** Seconds of sound written and not yet out as packets: the encoder's queue (packet k needs the input up to its end). */
  get pendingSeconds(): number {
    return Math.max(0, this.samplesWritten / this.sampleRate - this.nextStartSample / OPUS_CLOCK_RATE);
  }

  /** Sends mono samples of any length; resolves once ffmpeg took them. */
  async encode(samples: Int16Array | Float32Array): Promise<void> {
    this.checkOpen();
    const expected = this.sampleFormat === 's16' ? Int16Array : Float32Array;
    if (!(samples instanceof expected)) {
      throw new LiveMediaError('LIVE_MEDIA_BAD_INPUT', `Samples must be a ${expected.name} (sampleFormat '${this.sampleFormat}'). Passed: ${samples.constructor.name}`);
    }
    if (samples.length === 0) return;
    this.samplesWritten += samples.length;
    await this.process.write(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength));
  }

  protected parse(chunk: Buffer, events: Array<() => void>): void {
    for (const packet of this.reader.push(chunk)) this.onPacket(packet, events);
  }

  private onPacket(packet: OggPacket, events: Array<() => void>): void {
    const position = this.packetsSeen++;
    if (position === 0) {
      const head = parseOpusHead(packet.data);
      this.head = head;
      events.push(() => this.emit('header', head));
      return;
    }
    if (position === 1 || this.head === null) return; // OpusTags
    const startSample = this.nextStartSample;
    let sampleCount = opusPacketSamples(packet.data);
    // The last page's granule position may end the stream inside its last packet (RFC 7845, 4.4).
    const granuleEnd = Number(packet.pageGranule);
    if (packet.packetsAfterOnPage === 0 && granuleEnd > startSample && granuleEnd < startSample + sampleCount) sampleCount = granuleEnd - startSample;
    this.nextStartSample += sampleCount;
    const out: AudioPacket = {
      ptsSeconds: (startSample - this.head.preSkip) / OPUS_CLOCK_RATE,
      durationSeconds: sampleCount / OPUS_CLOCK_RATE,
      startSample,
      sampleCount,
      data: packet.data,
    };
    events.push(() => this.emit('packet', out));
  }
}
