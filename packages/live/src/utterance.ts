import { MOTION_CHANNEL_COUNT as C } from '@portrait-farm/contracts';
import type { PlannedUtterance } from './slot-planner.ts';
import type { UtteranceRows } from './speech-stepper.ts';

/** Feature rows of one utterance as its audio arrives (packages/audio-features' stream, or any equal source). */
export interface UtteranceFeatures {
  push(samples: Float32Array): void;
  /** No more audio: rows past it read silence, and the last rows can be computed. */
  end(): void;
  /** Resolves once rows [0, end) exist, or every row does when the utterance has ended with fewer. */
  waitFor(end: number): Promise<void>;
  readonly rows: UtteranceRows;
  /** Rows before `frame` are no longer needed. */
  release(frame: number): void;
  /** Drops the utterance (a pending waitFor rejects). */
  close(): void;
}

/** When each part of a speech frame happened (milliseconds on the session clock). */
export interface FrameTimes {
  /** The utterance's first audio arrived. */
  utteranceAudio: number;
  /** The frame's last audio sample arrived. */
  ingress: number;
  /** Its feature row (and the look-ahead its step waited for) existed. */
  features: number;
  /** Its motion was denoised. */
  motion: number;
}

/**
 * One utterance: the audio pushed for it (kept until its frames have gone out), its feature rows, and its motion
 * frames as the stepper makes them.
 */
export class Utterance implements PlannedUtterance {
  readonly id: number;
  readonly features: UtteranceFeatures;
  readonly motion: Float32Array[] = [];
  readonly times: FrameTimes[] = [];
  readonly firstAudioAt: number;
  readonly #samplesPerFrame: number;
  /** Audio not yet handed out, from sample `#released` on. */
  #chunks: Float32Array[] = [];
  #released = 0;
  #received = 0;
  #arrivals: Array<{ end: number; at: number }> = [];
  #ended = false;
  begun = false;

  constructor(id: number, features: UtteranceFeatures, samplesPerFrame: number, now: number) {
    this.id = id;
    this.features = features;
    this.#samplesPerFrame = samplesPerFrame;
    this.firstAudioAt = now;
  }

  get ended(): boolean {
    return this.#ended;
  }

  get receivedSamples(): number {
    return this.#received;
  }

  push(samples: Float32Array, now: number): void {
    if (this.#ended) throw new Error(`utterance ${this.id} has ended`);
    if (samples.length === 0) return;
    this.#chunks.push(samples);
    this.#received += samples.length;
    this.#arrivals.push({ end: this.#received, at: now });
    this.features.push(samples);
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.features.end();
  }

  /** Every frame's motion is made. */
  get stepped(): boolean {
    const total = this.totalFrames();
    return total !== null && this.motion.length >= total;
  }

  totalFrames(): number | null {
    return this.#ended ? Math.ceil(this.#received / this.#samplesPerFrame) : null;
  }

  /** When audio up to sample `end` had arrived; asked in increasing order (arrivals before it are forgotten). */
  arrivedAt(end: number): number {
    while (this.#arrivals.length > 1 && this.#arrivals[0]!.end < end) this.#arrivals.shift();
    return this.#arrivals[0]?.at ?? this.firstAudioAt;
  }

  /** Adds a step's frames (frames * 20 values). */
  addMotion(frames: Float32Array, times: Omit<FrameTimes, 'ingress' | 'utteranceAudio'>): void {
    for (let i = 0; i < frames.length / C; i++) {
      const frame = this.motion.length;
      this.motion.push(frames.slice(i * C, (i + 1) * C));
      this.times.push({ utteranceAudio: this.firstAudioAt, ingress: this.arrivedAt((frame + 1) * this.#samplesPerFrame), ...times });
    }
  }

  /** Frames are asked for in order: audio before `frame` is released. */
  audioOf(frame: number, into: Float32Array): void {
    let from = frame * this.#samplesPerFrame;
    const to = from + into.length;
    while (this.#chunks.length > 0 && this.#released + this.#chunks[0]!.length <= from) this.#released += this.#chunks.shift()!.length;
    let chunkStart = this.#released;
    for (const chunk of this.#chunks) {
      const chunkEnd = chunkStart + chunk.length;
      if (chunkEnd > from && chunkStart < to) {
        const a = Math.max(from, chunkStart);
        const b = Math.min(to, chunkEnd);
        into.set(chunk.subarray(a - chunkStart, b - chunkStart), a - frame * this.#samplesPerFrame);
        from = b;
      }
      chunkStart = chunkEnd;
      if (chunkStart >= to) break;
    }
  }
}
