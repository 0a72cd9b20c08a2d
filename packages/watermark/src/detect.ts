import { CODED_BITS, decodeCodeword } from './codeword.ts';
import type { RgbFrame } from './luma.ts';
import { CHIPS, SYNC_CHIPS, tileLayout, type TileLayout } from './pattern.ts';
import { DEFAULT_WATERMARK_KEY } from './prng.ts';
import { frameResidual, prepareEvidence, SCALE_HYPOTHESES, SHIFT_HYPOTHESES, synchronise, type Evidence } from './synchronise.ts';
import { agreementThreshold, logBinomialTail } from './threshold.ts';

/** The false-positive rate the detection threshold is set for, over all synchronisation hypotheses of a video. */
export const TARGET_FALSE_POSITIVE_RATE = 1e-6;
/** Synchronisation hypotheses tried per video (scales x cyclic shifts). */
export const HYPOTHESES = SCALE_HYPOTHESES * SHIFT_HYPOTHESES;
/** Sync-chip agreements (of SYNC_CHIPS) needed: HYPOTHESES * P(Bin(SYNC_CHIPS, 1/2) >= it) <= 1e-6. */
export const AGREEMENT_THRESHOLD = agreementThreshold(SYNC_CHIPS, HYPOTHESES, TARGET_FALSE_POSITIVE_RATE);

export interface WatermarkDetection {
  /** Sync passed the threshold and the decoded payload's keyed MAC matches. */
  found: boolean;
  /** The payload when found, else null. */
  payload: Uint8Array | null;
  /** Sync chips agreeing with the key's template at the best hypothesis (of `syncChips`). */
  score: number;
  threshold: number;
  syncChips: number;
  /** Union bound on the chance that a never-watermarked video scores this high: HYPOTHESES * binomial tail. */
  falsePositiveBound: number;
  /** 1 - falsePositiveBound, clamped to [0, 1]. */
  confidence: number;
  /** Coded-bit hard decisions that disagree with the decoded codeword (of `codedBits`); null when not found. */
  bitErrors: number | null;
  codedBits: number;
  macValid: boolean;
  /** Estimated scale of the video against the embedded frames, and the tile shift found. */
  scale: number;
  shift: { x: number; y: number };
  frames: number;
  /** Soft evidence per coded bit (> 0: 1), for measuring raw bit accuracy. */
  softBits: Float64Array;
}

export interface DetectOptions {
  /** @defaultValue DEFAULT_WATERMARK_KEY */
  key?: string | Uint8Array;
}

/** Soft coded bits from chip values: each chip's value times its spreading sign, clipped at 3 robust sigmas. */
export function softBits(layout: TileLayout, chips: Float64Array): Float64Array {
  const magnitudes = Array.from(chips, Math.abs).sort((a, b) => a - b);
  const sigma = (magnitudes[Math.floor(magnitudes.length / 2)] ?? 1) / 0.6745 || 1;
  const soft = new Float64Array(CODED_BITS);
  for (let chip = 0; chip < CHIPS; chip += 1) {
    const bit = layout.bitOf[chip] ?? -2;
    if (bit < 0) continue;
    const v = Math.max(-3, Math.min(3, (chips[chip] ?? 0) / sigma));
    soft[bit] = (soft[bit] ?? 0) + v * (layout.sign[chip] ?? 1);
  }
  return soft;
}

/** Decides on key-independent evidence (so many keys can be tried on one video cheaply). */
export function detectInEvidence(evidence: Evidence, frames: number, key: string | Uint8Array): WatermarkDetection {
  const layout = tileLayout(key);
  // Every hypothesis over the threshold is decoded until one's MAC matches (the threshold already pays for all of
  // them); otherwise the best one is reported.
  const candidates = synchronise(evidence, layout);
  let sync = candidates[0];
  if (sync === undefined) throw new Error('no synchronisation hypotheses');
  let soft = softBits(layout, sync.chips);
  let decoded = decodeCodeword(soft, key);
  for (const candidate of candidates) {
    if (candidate.agreement < AGREEMENT_THRESHOLD) break;
    const candidateSoft = softBits(layout, candidate.chips);
    const candidateDecoded = decodeCodeword(candidateSoft, key);
    if (candidateDecoded.macValid) {
      sync = candidate;
      soft = candidateSoft;
      decoded = candidateDecoded;
      break;
    }
  }
  const bound = Math.min(1, HYPOTHESES * Math.exp(logBinomialTail(SYNC_CHIPS, sync.agreement)));
  const found = sync.agreement >= AGREEMENT_THRESHOLD && decoded.macValid;
  return {
    found,
    payload: found ? decoded.payload : null,
    score: sync.agreement,
    threshold: AGREEMENT_THRESHOLD,
    syncChips: SYNC_CHIPS,
    falsePositiveBound: bound,
    confidence: 1 - bound,
    bitErrors: found ? decoded.bitErrors : null,
    codedBits: CODED_BITS,
    macValid: decoded.macValid,
    scale: sync.scale,
    shift: { x: sync.dx, y: sync.dy },
    frames,
    softBits: soft,
  };
}

/** Accumulates evidence over the decoded frames of one video (all of one size), then decides. */
export class WatermarkDetector {
  #acc: Float64Array | null = null;
  #width = 0;
  #height = 0;
  #frames = 0;

  addFrame(frame: RgbFrame): void {
    if (this.#acc === null) {
      this.#width = frame.width;
      this.#height = frame.height;
      this.#acc = new Float64Array(frame.width * frame.height);
    } else if (frame.width !== this.#width || frame.height !== this.#height) {
      throw new RangeError(`frames of one video share a size: ${this.#width}x${this.#height}, not ${frame.width}x${frame.height}`);
    }
    const residual = frameResidual(frame);
    const acc = this.#acc;
    for (let i = 0; i < acc.length; i += 1) acc[i] = (acc[i] ?? 0) + (residual[i] ?? 0);
    this.#frames += 1;
  }

  get frames(): number {
    return this.#frames;
  }

  /** The key-independent evidence so far. */
  evidence(): Evidence {
    if (this.#acc === null) throw new RangeError('no frames added');
    return prepareEvidence(this.#acc, this.#width, this.#height);
  }

  result(options: DetectOptions = {}): WatermarkDetection {
    return detectInEvidence(this.evidence(), this.#frames, options.key ?? DEFAULT_WATERMARK_KEY);
  }
}

/** Detects the watermark in the frames of one video. */
export function detectWatermark(frames: Iterable<RgbFrame>, options: DetectOptions = {}): WatermarkDetection {
  const detector = new WatermarkDetector();
  for (const frame of frames) detector.addFrame(frame);
  return detector.result(options);
}
