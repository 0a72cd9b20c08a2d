import type { ModelSession } from '@portrait-farm/model-runtime';
import { AudioFeaturesError } from './errors.ts';
import type { FeatureRows } from './audio-front-end.ts';
import { computeFeatureRows } from './feature-rows.ts';
import { FEATURE_DIM, SAMPLES_PER_FRAME, SAMPLE_RATE, frameCount, melBlocksFor } from './front-end-layout.ts';
import { HeldSamples } from './held-samples.ts';
import { LiveMelBlocks, type CutRow } from './live-mel-blocks.ts';
import { checkLiveMelPeak, createMelPeakTracker, type LiveMelPeak, type MelPeakTracker } from './live-mel-peak.ts';
import { blockFirstSample, melFloor } from './mel-blocks.ts';

/** Options of {@link AudioFrontEnd.featureStream}. */
export interface FeatureStreamOptions {
  /**
   * Audio past a frame's centre that must have arrived before its row is computed; audio past it is read as
   * silence, so a row depends only on the audio and this value, never on how the audio was chunked. Rows equal a
   * whole-clip run (for the same peak) from 176 ms on: the last mel window a row reads ends there.
   * @defaultValue DEFAULT_LOOKAHEAD_MS
   */
  lookaheadMs?: number;
  /**
   * The mel peak rows are floored at (see {@link LiveMelPeak}).
   * @defaultValue DEFAULT_LIVE_MEL_PEAK
   */
  melPeak?: LiveMelPeak;
  /**
   * Most rows per embedding run when many are ready at once (a burst of audio). Results do not depend on it.
   * @defaultValue 32
   */
  maxRowsPerRun?: number;
}

/**
 * Feature rows of one utterance at a time, computed as its 16 kHz audio arrives: each row as soon as the audio up to
 * its look-ahead has arrived (or the utterance has ended). Frames are numbered from the utterance's first sample.
 */
export interface FeatureStream {
  /** Appends the utterance's next samples (16 kHz mono in [-1, 1]; copied). */
  push(samples: Float32Array): void;
  /** Ends the utterance: audio past it is silence, its remaining rows are computed at once. */
  end(): void;
  /** Drops the utterance, its queued audio and the rows not yet read (barge-in); the next push starts a new one. */
  reset(): void;
  /** Rows [0, ready) of the utterance are computed. */
  readonly ready: number;
  /** The utterance's frame count once it has ended (`ceil(samples / 640)`), null while audio may still arrive. */
  readonly total: number | null;
  /** Samples of the utterance pushed so far. */
  readonly received: number;
  /**
   * The mel peak the last row computed was floored at (null before the first row): with the running policy, the
   * utterance's level so far, which the next utterance's stream may start from (`{ policy: 'running', initial }`).
   */
  readonly melPeak: number | null;
  /** Rows [start, end), as soon as they are all computed. Rejects with AUDIO_FEATURES_STREAM_RESET on reset. */
  rows(start: number, end: number): Promise<FeatureRows>;
  /** Rows [start, end) already computed (`end <= ready`). */
  readyRows(start: number, end: number): FeatureRows;
  /** Forgets the rows before `frame` (read and no longer needed): a long utterance is not held whole. */
  release(frame: number): void;
}

/**
 * The look-ahead chosen by the measurements of docs/realtime.md, "Streaming audio features": on real speech the
 * motion from its rows keeps 130 of 133 lip closures (80 ms: 125; another seed: 131) at mouth differences a quarter
 * of a seed's.
 */
export const DEFAULT_LOOKAHEAD_MS = 120;
/**
 * The peak policy chosen by the same measurements: running, never below 100 dB (speech peaks at 92-112 dB). A
 * running peak from nothing leaves the quiet start of an utterance unfloored (rows there far from the batch rows); a
 * fixed full-scale peak floors speech higher than its batch run does.
 */
export const DEFAULT_LIVE_MEL_PEAK: LiveMelPeak = Object.freeze({ policy: 'running', initial: 100 });
/** Past this look-ahead rows do not change (the last mel window a row reads ends 176 ms past its centre). */
export const FULL_LOOKAHEAD_MS = 176;

interface Waiter {
  start: number;
  end: number;
  resolve: (rows: FeatureRows) => void;
  reject: (error: unknown) => void;
}

interface Utterance {
  held: HeldSamples;
  blocks: LiveMelBlocks;
  peaks: MelPeakTracker;
  /** Rows [released, released + rows.length) are held. */
  rows: Float32Array[];
  released: number;
  ended: boolean;
  lastPeak: number | null;
}

function checkOptions(options: FeatureStreamOptions): { lookaheadSamples: number; melPeak: LiveMelPeak; maxRowsPerRun: number } {
  const lookaheadMs = options.lookaheadMs ?? DEFAULT_LOOKAHEAD_MS;
  if (!Number.isFinite(lookaheadMs) || lookaheadMs < 0 || lookaheadMs > 1000) {
    throw new AudioFeaturesError('AUDIO_FEATURES_BAD_RANGE', `lookaheadMs must be between 0 and 1000. Passed: ${lookaheadMs}`);
  }
  const melPeak = options.melPeak ?? DEFAULT_LIVE_MEL_PEAK;
  checkLiveMelPeak(melPeak);
  const maxRowsPerRun = options.maxRowsPerRun ?? 32;
  if (!Number.isInteger(maxRowsPerRun) || maxRowsPerRun < 1) {
    throw new AudioFeaturesError('AUDIO_FEATURES_BAD_RANGE', `maxRowsPerRun must be a positive integer. Passed: ${maxRowsPerRun}`);
  }
  return { lookaheadSamples: Math.round((lookaheadMs * SAMPLE_RATE) / 1000), melPeak, maxRowsPerRun };
}

export function createFeatureStream(
  models: { mel: ModelSession; embedding: ModelSession },
  check: (samples: Float32Array) => void,
  options: FeatureStreamOptions,
): FeatureStream {
  const { lookaheadSamples, melPeak, maxRowsPerRun } = checkOptions(options);
  const fresh = (): Utterance => ({
    held: new HeldSamples(),
    blocks: new LiveMelBlocks(models.mel),
    peaks: createMelPeakTracker(melPeak),
    rows: [],
    released: 0,
    ended: false,
    lastPeak: null,
  });
  let utterance = fresh();
  let running = false;
  let failure: unknown = null;
  let waiters: Waiter[] = [];

  const ready = (): number => utterance.released + utterance.rows.length;
  const total = (): number | null => (utterance.ended ? frameCount(utterance.held.received) : null);
  /** Where row `frame`'s audio stops: its look-ahead, or the utterance's end. */
  const cutOf = (frame: number): number => {
    const cut = frame * SAMPLES_PER_FRAME + SAMPLES_PER_FRAME / 2 + lookaheadSamples;
    return utterance.ended ? Math.min(cut, utterance.held.received) : cut;
  };
  const computable = (): number => {
    const last = total();
    if (last !== null) return last;
    const reach = utterance.held.received - SAMPLES_PER_FRAME / 2 - lookaheadSamples;
    return reach < 0 ? 0 : Math.floor(reach / SAMPLES_PER_FRAME) + 1;
  };

  const rowsOf = (start: number, end: number): FeatureRows => {
    const data = new Float32Array((end - start) * FEATURE_DIM);
    for (let t = start; t < end; t++) data.set(utterance.rows[t - utterance.released]!, (t - start) * FEATURE_DIM);
    return { startFrame: start, frameCount: end - start, dim: 224, data };
  };

  const settle = (): void => {
    const last = total();
    waiters = waiters.filter((waiter) => {
      if (failure !== null) waiter.reject(failure);
      else if (last !== null && waiter.end > last) {
        waiter.reject(new AudioFeaturesError('AUDIO_FEATURES_BAD_RANGE', `rows [${waiter.start}, ${waiter.end}) were asked for; the utterance ended with ${last} frames`));
      } else if (waiter.start < utterance.released) {
        waiter.reject(new AudioFeaturesError('AUDIO_FEATURES_BAD_RANGE', `rows [${waiter.start}, ${waiter.end}) were asked for; rows before ${utterance.released} were released`));
      } else if (waiter.end <= ready()) waiter.resolve(rowsOf(waiter.start, waiter.end));
      else return true;
      return false;
    });
  };

  const computeNext = async (current: Utterance, start: number, end: number): Promise<void> => {
    const cutRows: CutRow[] = [];
    for (let t = start; t < end; t++) cutRows.push({ frame: t, cut: cutOf(t) });
    const mels = await current.blocks.rows(current.held.stretch(), cutRows);
    const peaks = mels.map((mel) => current.peaks.next(mel.peak));
    const sources = cutRows.map((row, i) => ({ frame: row.frame, mel: mels[i]!.mel, floor: melFloor(peaks[i]!) }));
    const data = await computeFeatureRows(models.embedding, sources, maxRowsPerRun);
    if (current !== utterance) return;
    for (let i = 0; i < end - start; i++) current.rows.push(data.subarray(i * FEATURE_DIM, (i + 1) * FEATURE_DIM));
    current.lastPeak = peaks.at(-1)!;
    current.blocks.dropBefore(melBlocksFor(end, end + 1).first);
  };

  const pump = (): void => {
    if (running || failure !== null) return;
    const start = ready();
    const end = Math.min(computable(), start + maxRowsPerRun);
    if (end <= start) return;
    running = true;
    const current = utterance;
    computeNext(current, start, end).then(
      () => {
        running = false;
        settle();
        pump();
      },
      (error: unknown) => {
        running = false;
        // A failure of a dropped utterance's rows concerns nobody; the next utterance's rows are computed afresh.
        if (current === utterance) failure = error;
        settle();
        pump();
      },
    );
  };

  return {
    push(samples) {
      if (failure !== null) throw failure;
      if (utterance.ended) throw new AudioFeaturesError('AUDIO_FEATURES_STREAM_ENDED', 'push after end(): call reset() to start the next utterance');
      check(samples);
      // A computation in flight reads the samples it was handed: none are dropped until it ends.
      utterance.held.append(samples, running ? null : Math.max(0, blockFirstSample(melBlocksFor(ready(), ready() + 1).first)));
      pump();
    },
    end() {
      utterance.ended = true;
      settle();
      pump();
    },
    reset() {
      const dropped = waiters;
      waiters = [];
      utterance = fresh();
      for (const waiter of dropped) waiter.reject(new AudioFeaturesError('AUDIO_FEATURES_STREAM_RESET', `rows [${waiter.start}, ${waiter.end}) were dropped by reset()`));
    },
    get ready() {
      return ready();
    },
    get total() {
      return total();
    },
    get received() {
      return utterance.held.received;
    },
    get melPeak() {
      return utterance.lastPeak;
    },
    rows(start, end) {
      if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start) {
        return Promise.reject(new AudioFeaturesError('AUDIO_FEATURES_BAD_RANGE', `frame range must be integers with 0 <= start <= end. Passed: [${start}, ${end})`));
      }
      const promise = new Promise<FeatureRows>((resolve, reject) => waiters.push({ start, end, resolve, reject }));
      settle();
      return promise;
    },
    readyRows(start, end) {
      if (!Number.isInteger(start) || !Number.isInteger(end) || start < utterance.released || end < start || end > ready()) {
        throw new AudioFeaturesError('AUDIO_FEATURES_BAD_RANGE', `rows [${start}, ${end}) are not held: rows [${utterance.released}, ${ready()}) are. Passed: [${start}, ${end})`);
      }
      return rowsOf(start, end);
    },
    release(frame) {
      const drop = Math.min(utterance.rows.length, Math.max(0, frame - utterance.released));
      utterance.rows.splice(0, drop);
      utterance.released += drop;
    },
  };
}
