/** One item the pacer sends at its media time. */
export interface PacedItem<T> {
  mediaSeconds: number;
  item: T;
}

/** Options of {@link MediaPacer}. */
export interface MediaPacerOptions<T> {
  /**
   * How long after its media time each item goes out (ms): a fixed delay that items arriving a little late still
   * meet, so they leave evenly.
   * @defaultValue 0
   */
  delayMs?: number;
  /** Sends the items that are due, oldest first (all that fell due while the event loop was busy, at once). */
  send: (due: Array<PacedItem<T>>) => void;
  /** The clock (ms). @defaultValue performance.now */
  now?: () => number;
}

/**
 * Sends items (packets) at their media time plus a fixed delay, on a clock whose media time 0 is set once known.
 * A timer is set for the next item; when it fires late (the event loop was held up) every item due by then goes out,
 * and an item that arrives after its time goes out at once.
 */
export class MediaPacer<T> {
  readonly #held: Array<PacedItem<T>> = [];
  readonly #delayMs: number;
  readonly #send: MediaPacerOptions<T>['send'];
  readonly #now: () => number;
  #startMs: number | null = null;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(options: MediaPacerOptions<T>) {
    const delayMs = options.delayMs ?? 0;
    if (!(Number.isFinite(delayMs) && delayMs >= 0)) throw new RangeError(`delayMs must be a finite number >= 0. Passed: ${delayMs}`);
    this.#delayMs = delayMs;
    this.#send = options.send;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Media time 0 on the clock (ms); may be moved while the clock settles. */
  setStart(startMs: number): void {
    this.#startMs = startMs;
    this.#pump();
  }

  /** Holds an item until its time (items come in media-time order); ignored once flushed or stopped. */
  push(mediaSeconds: number, item: T): void {
    if (this.#closed) return;
    this.#held.push({ mediaSeconds, item });
    if (this.#timer === null) this.#pump();
  }

  /** Sends everything held now, in order, and stops. */
  flush(): void {
    this.#stopTimer();
    this.#closed = true;
    if (this.#held.length > 0) this.#send(this.#held.splice(0));
  }

  /** Drops everything held and stops. */
  stop(): void {
    this.#stopTimer();
    this.#closed = true;
    this.#held.length = 0;
  }

  /** Items held, not yet sent. */
  get held(): number {
    return this.#held.length;
  }

  #dueAt(item: PacedItem<T>): number {
    return this.#startMs! + item.mediaSeconds * 1000 + this.#delayMs;
  }

  #pump(): void {
    this.#stopTimer();
    if (this.#startMs === null || this.#closed) return;
    // Within a millisecond counts as due: timers fire on whole milliseconds.
    const now = this.#now() + 1;
    let count = 0;
    while (count < this.#held.length && this.#dueAt(this.#held[count]!) <= now) count += 1;
    if (count > 0) this.#send(this.#held.splice(0, count));
    if (this.#held.length > 0) this.#timer = setTimeout(() => this.#pump(), Math.max(0, this.#dueAt(this.#held[0]!) - this.#now()));
  }

  #stopTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
