import { EventEmitter } from 'node:events';
import OpusScript from 'opusscript';
import { LiveMediaError } from './errors.ts';
import { OPUS_CLOCK_RATE, type OpusHead } from './opus-packet.ts';

/** Input sample rates the live audio encoder takes (libopus codes them without resampling). */
export const LIVE_AUDIO_SAMPLE_RATES = Object.freeze([8_000, 12_000, 16_000, 24_000, 48_000] as const);

/** Options of {@link LiveAudioEncoder}. */
export interface LiveAudioEncoderOptions {
  /** Input sample rate in Hz, one of {@link LIVE_AUDIO_SAMPLE_RATES} (sessions take 16 or 24 kHz). */
  sampleRate: number;
  /**
   * What `encode` takes: PCM16 (Int16Array) or float (Float32Array, -1 to 1, coded as PCM16), mono.
   * @defaultValue 's16'
   */
  sampleFormat?: 's16' | 'f32';
  /**
   * Opus bitrate in kbit/s, 6 to 256.
   * @defaultValue 32
   */
  bitrateKbps?: number;
}

/** One Opus packet (20 ms). */
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
  /** libopus refused a frame; only emitted when someone listens (encode rejects too). */
  error: [Error];
}

const FRAME_MS = 20;
const FRAME_SAMPLES_48K = (OPUS_CLOCK_RATE * FRAME_MS) / 1000;
/** libopus's OPUS_SET_COMPLEXITY, set to 10 as ffmpeg's libopus wrapper does by default. */
const OPUS_SET_COMPLEXITY = 4010;
/**
 * The encoder's look-ahead with the restricted low-delay application: 2.5 ms (libopus adds no delay compensation for
 * it), the stream's pre-skip in 48 kHz samples; ffmpeg's libopus wrapper writes the same 120.
 */
const LOWDELAY_PRE_SKIP = 120;

/**
 * libopus (20 ms frames, restricted low-delay application) in this process as WebAssembly, turning mono PCM into
 * Opus packets: each packet is emitted inside the `encode` call that completed its 20 ms of input.
 *
 * ```ts
 * const encoder = new LiveAudioEncoder({ sampleRate: 16000 });
 * encoder.on('packet', (packet) => send(packet));
 * await encoder.encode(pcm16Chunk);
 * await encoder.close(); // the last partial frame and the look-ahead are padded with silence and emitted
 * ```
 */
export class LiveAudioEncoder extends EventEmitter<LiveAudioEncoderEvents> {
  readonly sampleRate: number;
  readonly sampleFormat: 's16' | 'f32';
  readonly #head: OpusHead;
  readonly #opus: OpusScript;
  readonly #frame: Int16Array;
  #frameFill = 0;
  #headerEmitted = false;
  #state: 'open' | 'closed' = 'open';
  #nextStartSample = 0;
  #samplesWritten = 0;

  constructor(options: LiveAudioEncoderOptions) {
    super();
    const sampleFormat = options.sampleFormat ?? 's16';
    const bitrateKbps = options.bitrateKbps ?? 32;
    if (!LIVE_AUDIO_SAMPLE_RATES.some((rate) => rate === options.sampleRate)) {
      throw new LiveMediaError('LIVE_MEDIA_BAD_OPTION', `sampleRate must be one of ${LIVE_AUDIO_SAMPLE_RATES.join(', ')}. Passed: ${options.sampleRate}`);
    }
    if (sampleFormat !== 's16' && sampleFormat !== 'f32') throw new LiveMediaError('LIVE_MEDIA_BAD_OPTION', `sampleFormat must be 's16' or 'f32'. Passed: ${String(sampleFormat)}`);
    if (!(Number.isInteger(bitrateKbps) && bitrateKbps >= 6 && bitrateKbps <= 256)) {
      throw new LiveMediaError('LIVE_MEDIA_BAD_OPTION', `bitrateKbps must be an integer between 6 and 256. Passed: ${bitrateKbps}`);
    }
    this.sampleRate = options.sampleRate;
    this.sampleFormat = sampleFormat;
    this.#opus = new OpusScript(options.sampleRate as (typeof LIVE_AUDIO_SAMPLE_RATES)[number], 1, OpusScript.Application.RESTRICTED_LOWDELAY);
    this.#opus.setBitrate(bitrateKbps * 1000);
    this.#opus.encoderCTL(OPUS_SET_COMPLEXITY, 10);
    this.#frame = new Int16Array((options.sampleRate * FRAME_MS) / 1000);
    this.#head = { channels: 1, preSkip: LOWDELAY_PRE_SKIP, inputSampleRate: options.sampleRate, outputGain: 0 };
    // Listeners added right after construction still get it.
    queueMicrotask(() => this.#emitHeader());
  }

  /** The stream's identification header. */
  get opusHead(): OpusHead | null {
    return this.#head;
  }

  /** Seconds of sound written and not yet out as packets: under one 20 ms frame until close(). */
  get pendingSeconds(): number {
    return Math.max(0, this.#samplesWritten / this.sampleRate - this.#nextStartSample / OPUS_CLOCK_RATE);
  }

  /** Sends mono samples of any length; every 20 ms frame they complete is emitted as a packet before it resolves. */
  async encode(samples: Int16Array | Float32Array): Promise<void> {
    this.#checkOpen('encode() came after close()');
    const expected = this.sampleFormat === 's16' ? Int16Array : Float32Array;
    if (!(samples instanceof expected)) {
      throw new LiveMediaError('LIVE_MEDIA_BAD_INPUT', `Samples must be a ${expected.name} (sampleFormat '${this.sampleFormat}'). Passed: ${samples.constructor.name}`);
    }
    this.#samplesWritten += samples.length;
    for (let at = 0; at < samples.length; ) {
      const take = Math.min(samples.length - at, this.#frame.length - this.#frameFill);
      if (samples instanceof Int16Array) this.#frame.set(samples.subarray(at, at + take), this.#frameFill);
      else for (let i = 0; i < take; i++) this.#frame[this.#frameFill + i] = toPcm16(samples[at + i]!);
      this.#frameFill += take;
      at += take;
      if (this.#frameFill === this.#frame.length) this.#codeFrame(FRAME_SAMPLES_48K);
    }
  }

  /** Pads the input with silence until the decoded sound covers all of it (look-ahead included), emits the rest. */
  async close(): Promise<void> {
    this.#checkOpen('close() came twice');
    const end = (this.#samplesWritten * OPUS_CLOCK_RATE) / this.sampleRate + LOWDELAY_PRE_SKIP;
    try {
      while (this.#nextStartSample < end) {
        this.#frame.fill(0, this.#frameFill);
        this.#codeFrame(Math.min(FRAME_SAMPLES_48K, end - this.#nextStartSample));
      }
    } finally {
      this.#release();
    }
  }

  /** Stops at once; a partial frame is dropped. */
  async destroy(): Promise<void> {
    if (this.#state === 'open') this.#release();
  }

  #checkOpen(what: string): void {
    if (this.#state !== 'open') throw new LiveMediaError('LIVE_MEDIA_ENCODER_CLOSED', `The audio encoder is closed; ${what}`);
  }

  #release(): void {
    this.#state = 'closed';
    this.#opus.delete();
  }

  #emitHeader(): void {
    if (this.#headerEmitted) return;
    this.#headerEmitted = true;
    this.emit('header', this.#head);
  }

  /** Codes the full frame buffer; `sampleCount` is less than 20 ms only for the stream's last packet. */
  #codeFrame(sampleCount: number): void {
    let data: Buffer;
    try {
      data = this.#opus.encode(Buffer.from(this.#frame.buffer, this.#frame.byteOffset, this.#frame.byteLength), this.#frame.length);
    } catch (cause) {
      const error = new LiveMediaError('LIVE_MEDIA_BAD_STREAM', `libopus could not code a frame: ${String(cause)}`, { cause });
      if (this.listenerCount('error') > 0) this.emit('error', error);
      throw error;
    }
    this.#frameFill = 0;
    const startSample = this.#nextStartSample;
    this.#nextStartSample += sampleCount;
    this.#emitHeader();
    this.emit('packet', {
      ptsSeconds: (startSample - LOWDELAY_PRE_SKIP) / OPUS_CLOCK_RATE,
      durationSeconds: sampleCount / OPUS_CLOCK_RATE,
      startSample,
      sampleCount,
      data,
    });
  }
}

function toPcm16(sample: number): number {
  return Math.round(Math.max(-1, Math.min(1, sample)) * 32767);
}
