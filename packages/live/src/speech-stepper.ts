import { MOTION_CHANNEL_COUNT as C } from '@portrait-farm/contracts';
import { frameNoise, type MotionGenerator } from '@portrait-farm/motion';

/** The denoiser's fixed sizes and normalisation (a pack's `denoiser.window`, `denoiser.context`, channel statistics). */
export interface StepperShape {
  window: number;
  context: number;
  channelMean: ArrayLike<number>;
  channelStd: ArrayLike<number>;
  /** Feature row of digital silence: rows the window reads past the audio received. */
  silence: Float32Array;
}

/** How far a step reaches: frames it hands out, and rows past them that must have arrived first. */
export interface StepperTiming {
  /** Motion frames each step hands out (the hop). */
  hopFrames: number;
  /** Feature rows past a step's last frame that must exist before it runs (unless the utterance has ended). */
  lookaheadFrames: number;
  /**
   * How a window's initial noise is keyed: by the frames it covers (windows that overlap share the noise of the
   * frames they share) or by the step, as batch windows are by their index. @defaultValue 'frame'
   */
  noise?: 'frame' | 'step';
}

/** What one step needs: the utterance's feature rows so far. */
export interface UtteranceRows {
  /** Rows [0, available) of the utterance exist (those before the next step's first frame may be released). */
  available: number;
  dim: number;
  /** Row `frame` (`dim` values), for a frame the next step reads. */
  row(frame: number): Float32Array;
  /** The utterance's length in frames once it has ended, else null. */
  totalFrames: number | null;
}

/**
 * Speech motion of one utterance, hop by hop: each step denoises a whole window whose first frame is the next
 * frame to hand out, conditioned on the last K frames that went out before it (idle motion for the first step, so
 * speech starts from the pose on screen), and hands out the window's first `hopFrames` frames. Rows the window
 * reads past the audio received read as silence. A step's noise is keyed by the session's step counter, so a
 * session's motion depends only on its seed and what it was given, in order.
 */
export class SpeechStepper {
  readonly #generator: MotionGenerator;
  readonly #shape: StepperShape;
  readonly #timing: StepperTiming;
  /** The denoiser context: the last K frames handed out, normalised. */
  #context: Float32Array;
  #nextFrame = 0;
  #steps = 0;
  /** Speech frames of the utterances before this one: frame noise keys count on from them. */
  #frameBase = 0;

  constructor(generator: MotionGenerator, shape: StepperShape, timing: StepperTiming) {
    if (!Number.isInteger(timing.hopFrames) || timing.hopFrames < 1 || timing.hopFrames > shape.window - timing.lookaheadFrames) {
      throw new RangeError(`hopFrames must be an integer from 1 to ${shape.window - timing.lookaheadFrames}. Passed: ${timing.hopFrames}`);
    }
    if (!Number.isInteger(timing.lookaheadFrames) || timing.lookaheadFrames < 0 || timing.lookaheadFrames >= shape.window) {
      throw new RangeError(`lookaheadFrames must be an integer from 0 to ${shape.window - 1}. Passed: ${timing.lookaheadFrames}`);
    }
    this.#generator = generator;
    this.#shape = shape;
    this.#timing = timing;
    this.#context = new Float32Array(shape.context * C);
  }

  /** Utterance frame the next step starts at. */
  get nextFrame(): number {
    return this.#nextFrame;
  }

  /**
   * Starts an utterance after `context`, the last K frames on screen, denormalised (K * 20 values), or, with null,
   * right after the utterance this stepper made last.
   */
  begin(context: Float32Array | null): void {
    if (context !== null && context.length !== this.#shape.context * C) {
      throw new RangeError(`the context must hold ${this.#shape.context} frames of ${C} channels. Passed: ${context.length} values`);
    }
    if (context !== null) this.#context = this.#normalise(context);
    this.#frameBase += this.#nextFrame + this.#shape.window;
    this.#nextFrame = 0;
  }

  /** Whether an utterance with these rows can take its first step. */
  canBegin(rows: UtteranceRows): boolean {
    return rows.totalFrames !== null ? rows.totalFrames > 0 : rows.available >= this.#timing.hopFrames + this.#timing.lookaheadFrames;
  }

  /** Rows the next step waits for (fewer once the utterance has ended). */
  rowsNeeded(begun: boolean): number {
    return (begun ? this.#nextFrame : 0) + this.#timing.hopFrames + this.#timing.lookaheadFrames;
  }

  /** Whether the next step can run with these rows. */
  canStep(rows: UtteranceRows): boolean {
    if (rows.totalFrames !== null) return this.#nextFrame < rows.totalFrames;
    return rows.available >= this.#nextFrame + this.#timing.hopFrames + this.#timing.lookaheadFrames;
  }

  /** The next hop's frames, denormalised (frames * 20 values; fewer than a hop at the utterance's end). */
  async step(rows: UtteranceRows): Promise<Float32Array> {
    if (!this.canStep(rows)) throw new RangeError(`step at frame ${this.#nextFrame} needs more feature rows (have ${rows.available})`);
    const { window: w, context: k } = this.#shape;
    const start = this.#nextFrame;
    const end = rows.totalFrames === null ? start + this.#timing.hopFrames : Math.min(rows.totalFrames, start + this.#timing.hopFrames);
    // Window index i reads rows [i*W, (i+1)*W): the matrix is placed there, silence past the rows received.
    this.#steps += 1;
    const index = this.#steps;
    const data = new Float32Array(w * rows.dim);
    for (let r = 0; r < w; r++) {
      const frame = start + r;
      const row = frame < rows.available ? rows.row(frame) : this.#shape.silence;
      data.set(row, r * rows.dim);
    }
    const features = { frameCount: w, dim: rows.dim, data, startFrame: index * w, clipFrameCount: (index + 1) * w };
    const noise = (this.#timing.noise ?? 'frame') === 'frame' ? frameNoise(this.#generator.seed, this.#frameBase + start, w, C) : undefined;
    const result = await this.#generator.generateWindow(index, features, this.#context, noise);
    const out = result.motion.slice(0, (end - start) * C);
    this.#pushContext(this.#normalise(out));
    this.#nextFrame = end;
    return out;
  }

  #pushContext(normalised: Float32Array): void {
    const k = this.#shape.context * C;
    const joined = new Float32Array(this.#context.length + normalised.length);
    joined.set(this.#context);
    joined.set(normalised, this.#context.length);
    this.#context = joined.slice(joined.length - k);
  }

  #normalise(frames: Float32Array): Float32Array {
    const { channelMean: mean, channelStd: std } = this.#shape;
    const out = new Float32Array(frames.length);
    for (let i = 0; i < frames.length; i++) out[i] = (frames[i]! - mean[i % C]!) / std[i % C]!;
    return out;
  }
}
