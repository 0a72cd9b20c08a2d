import type { LatencySummary, Percentiles } from '@portrait-farm/contracts';
import type { LiveFrame } from './live-session.ts';

export function percentiles(values: readonly number[]): Percentiles {
  if (values.length === 0) return { count: 0, p50: null, p95: null, p99: null };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { count: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

/** Collects frames as they are sent and summarises their delays. */
export class LatencyRecorder {
  #firstFrame: number[] = [];
  #audioToFrame: number[] = [];
  #features: number[] = [];
  #motion: number[] = [];
  #render: number[] = [];
  #send: number[] = [];
  #frames = 0;
  #lateSent = 0;
  #held = 0;
  #late = 0;
  readonly #keep: number;

  /** Keeps the last `keep` values of each delay. */
  constructor(keep = 10_000) {
    this.#keep = keep;
  }

  /**
   * `frame` was sent at `sentAt` (the session clock). Slot 0 goes out before the clock starts (the clock waits for it
   * and for the encoders to start), so it is never late.
   */
  record(frame: LiveFrame, sentAt: number): void {
    this.#frames += 1;
    const sentLate = frame.slot > 0 && sentAt > frame.due;
    if (sentLate) this.#lateSent += 1;
    if (frame.kind === 'held') this.#held += 1;
    if (sentLate || frame.kind === 'held') this.#late += 1;
    const t = frame.speech;
    if (t === null) return;
    if (frame.speechFrame === 0) this.#push(this.#firstFrame, sentAt - t.utteranceAudio);
    this.#push(this.#audioToFrame, sentAt - t.ingress);
    this.#push(this.#features, t.features - t.ingress);
    this.#push(this.#motion, t.motion - t.features);
    this.#push(this.#render, frame.rendered - Math.max(t.motion, frame.planned));
    this.#push(this.#send, sentAt - frame.rendered);
  }

  summary(): LatencySummary {
    return {
      firstFrame: percentiles(this.#firstFrame),
      audioToFrame: percentiles(this.#audioToFrame),
      features: percentiles(this.#features),
      motion: percentiles(this.#motion),
      render: percentiles(this.#render),
      encodeAndSend: percentiles(this.#send),
      frames: this.#frames,
      held: this.#held,
      lateSent: this.#lateSent,
      late: this.#late,
    };
  }

  #push(list: number[], value: number): void {
    list.push(value);
    if (list.length > this.#keep) list.shift();
  }
}
