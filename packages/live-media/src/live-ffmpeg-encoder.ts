import { EventEmitter } from 'node:events';
import { LiveMediaError } from './errors.ts';
import { FfmpegProcess } from './ffmpeg-process.ts';

/** Events every live encoder has: ffmpeg failed or its output did not parse (only emitted when someone listens). */
export interface LiveEncoderErrorEvent {
  error: [Error];
}

/**
 * What the video and audio encoders share: one long-lived ffmpeg fed on stdin, its stdout parsed as it arrives,
 * `close` (input ended, every unit out) and `destroy` (killed), and a stream error that stops the encoder for good.
 */
export abstract class LiveFfmpegEncoder<Events extends Record<keyof Events, unknown[]> & LiveEncoderErrorEvent> extends EventEmitter<Events> {
  protected readonly process: FfmpegProcess;
  protected state: 'open' | 'closing' | 'closed' = 'open';
  protected streamError: LiveMediaError | null = null;
  /** 'video' or 'audio', for messages. */
  readonly #kind: string;

  constructor(kind: string, ffmpegPath: string, args: readonly string[]) {
    super();
    this.#kind = kind;
    this.process = new FfmpegProcess(ffmpegPath, args, (chunk) => this.#onOutput(chunk));
    // Typed events do not reach a generic subclass's own 'error'; every Events has it.
    const untyped = this as EventEmitter;
    void this.process.ended.then(() => {
      if (this.state === 'open' && untyped.listenerCount('error') > 0) untyped.emit('error', this.streamError ?? this.process.failure());
    });
  }

  /** ffmpeg's process id (for reading its CPU time). */
  get pid(): number | undefined {
    return this.process.pid;
  }

  /** Ends the input and waits until ffmpeg has coded everything and this encoder emitted every unit. */
  async close(): Promise<void> {
    if (this.state !== 'open') throw new LiveMediaError('LIVE_MEDIA_ENCODER_CLOSED', `The ${this.#kind} encoder is ${this.state}; close() came twice`);
    this.state = 'closing';
    try {
      await this.process.finish();
      if (this.streamError !== null) throw this.streamError;
    } finally {
      this.state = 'closed';
    }
  }

  /** Kills ffmpeg; what is not out yet is dropped. */
  async destroy(): Promise<void> {
    this.state = 'closed';
    await this.process.destroy();
  }

  /** Throws when the encoder no longer takes input. */
  protected checkOpen(): void {
    if (this.state !== 'open') throw new LiveMediaError('LIVE_MEDIA_ENCODER_CLOSED', `The ${this.#kind} encoder is ${this.state}; encode() came after close()`);
    if (this.streamError !== null) throw this.streamError;
  }

  /** Parses a piece of ffmpeg's output, queueing the events it makes (emitted after the whole piece parsed). */
  protected abstract parse(chunk: Buffer, events: Array<() => void>): void;

  #onOutput(chunk: Buffer): void {
    if (this.streamError !== null) return;
    // Parsed first, emitted after: a listener's own error must not pass for a broken stream.
    const events: Array<() => void> = [];
    try {
      this.parse(chunk, events);
    } catch (error) {
      this.streamError = error instanceof LiveMediaError ? error : new LiveMediaError('LIVE_MEDIA_BAD_STREAM', String(error), { cause: error });
      void this.process.destroy();
    }
    for (const emit of events) emit();
  }
}
