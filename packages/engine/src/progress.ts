export type RenderStage = 'decode' | 'face' | 'audio' | 'motion' | 'render' | 'encode' | 'done';

/** What the engine reports while it works. */
export interface RenderProgress {
  stage: RenderStage;
  /** Units done in this stage: frames for motion, render and encode; 1 of 1 for the others. */
  done: number;
  total: number;
  /** Units per second in this stage so far. */
  framesPerSecond: number;
  /** Seconds left in this stage at the current rate; null until there is a rate. */
  etaSeconds: number | null;
}

export type ProgressListener = (progress: RenderProgress) => void;

/**
 * Turns stage starts and unit counts into {@link RenderProgress} events, at most one per `minIntervalMs` within a
 * stage (the first and the last of each stage are always sent).
 */
export class ProgressReporter {
  private current: { stage: RenderStage; total: number; startedAt: number; lastSentAt: number; lent: number } | null = null;
  private readonly timings: Record<string, number> = {};

  constructor(
    private readonly listener: ProgressListener | undefined,
    private readonly now: () => number = () => performance.now(),
    private readonly minIntervalMs = 100,
  ) {}

  start(stage: RenderStage, total = 1): void {
    this.closeStage();
    this.current = { stage, total: Math.max(1, total), startedAt: this.now(), lastSentAt: -Infinity, lent: 0 };
    this.send(0);
  }

  advance(done: number): void {
    const current = this.current;
    if (current === null) return;
    if (done < current.total && this.now() - current.lastSentAt < this.minIntervalMs) return;
    this.send(done);
  }

  /**
   * Counts `seconds` of the current stage's time under `stage` instead: work of another kind done inside it (each
   * segment's audio features while motion runs), so the timings still add up to the time taken.
   */
  attribute(stage: RenderStage, seconds: number): void {
    const current = this.current;
    if (current === null || current.stage === stage) return;
    current.lent += seconds;
    this.timings[stage] = (this.timings[stage] ?? 0) + seconds;
  }

  /** Closes the last stage, reports `done` and returns the seconds each stage took. */
  finish(): Record<string, number> {
    this.closeStage();
    this.listener?.({ stage: 'done', done: 1, total: 1, framesPerSecond: 0, etaSeconds: 0 });
    return { ...this.timings };
  }

  private closeStage(): void {
    const current = this.current;
    if (current === null) return;
    this.timings[current.stage] = (this.timings[current.stage] ?? 0) + (this.now() - current.startedAt) / 1000 - current.lent;
    this.current = null;
  }

  private send(done: number): void {
    const current = this.current!;
    const now = this.now();
    current.lastSentAt = now;
    const seconds = (now - current.startedAt) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const eta = rate > 0 ? (current.total - done) / rate : null;
    this.listener?.({ stage: current.stage, done, total: current.total, framesPerSecond: rate, etaSeconds: eta });
  }
}
