import { CHANNEL, MOTION_CHANNEL_COUNT as C, MOTION_CHANNELS, type MotionChannel } from '@portrait-farm/contracts';
import { MAX_OUTPUT_FPS, MIN_OUTPUT_FPS } from '../controls/index.ts';
import { MotionError } from '../errors.ts';
import { checkSeed, RNG_DOMAIN } from '../rng.ts';
import { createBandLimitedNoise } from './band-limited-noise.ts';
import { createBreathing } from './breathing.ts';
import { createGazeShifts } from './gaze-shifts.ts';
import { createIdleBlinks } from './idle-blinks.ts';
import {
  ATTENTION_SECONDS, BREATH_LIFT, CAMERA_COMPENSATION, DEGREES_PER_GAZE_UNIT, DRIFT_CHANNELS, DRIFT_CUTOFF_HZ, DRIFT_SPREAD,
  COAST_SECONDS, LISTENING_DRIFT, LISTENING_OFFSET, RELAX_SECONDS, RELAX_SPEED,
} from './idle-parameters.ts';
import { createListeningNods } from './listening-nods.ts';
import { createMotionHistory } from './motion-history.ts';
import { uniformDraws } from './random-draws.ts';
import { createRelaxation, type Relaxation } from './relaxation.ts';
import { MOUTH_CHANNELS, REST_MOUTH, restPose } from './rest-pose.ts';
import { createSmoothFollower } from './smooth-follower.ts';

/** What the portrait does while no speech is queued. */
export type IdleState = 'idle' | 'listening';

/** Options of {@link createIdleMotion}. */
export interface IdleMotionOptions {
  /** Seed of every random choice (blinks, breaths, drift, gaze shifts, nods, tilt side). @defaultValue 0 */
  seed?: number;
  /** Frames per second (12-60); every timing is in seconds. @defaultValue 25, the pack's rate */
  fps?: number;
  /** The pack's `channel_mean` (20 values): the rest pose of head, brows, smile and gaze, and the normalisation. */
  channelMean: ArrayLike<number>;
  /** The pack's `channel_std` (20 values), for {@link IdleMotion.tail}. */
  channelStd: ArrayLike<number>;
  /** Frames {@link IdleMotion.tail} holds: the denoiser's context K. @defaultValue 10 */
  context?: number;
  /** The seven mouth channels at rest (jaw_open ... lips_press). @defaultValue {@link REST_MOUTH} */
  restMouth?: ArrayLike<number>;
}

/** A frame-by-frame generator of idle and listening motion. */
export interface IdleMotion {
  readonly fps: number;
  /** Frames made so far. */
  readonly frameCount: number;
  /** The next frame's 20 channels, denormalised as the denoiser's output (absolute mouth, head about the pack mean). */
  next(state: IdleState): Float32Array;
  /**
   * Continues from frames that went out elsewhere (speech): `recent` holds their last n >= 1 frames (n * 20 values),
   * oldest first. The next frames carry on the last step of them and move back to the generator's own motion
   * over about half a second (the mouth in 0.32 s; longer for a channel so far away that it would move faster than
   * speech usually does), without a jump or a halt; {@link tail} reads them until new frames push them out.
   */
  startFrom(recent: ArrayLike<number>): void;
  /** The last `context` frames that went out, oldest first, normalised ((x - mean) / std): a speech window's context. */
  tail(): Float32Array;
}

interface ResolvedIdleOptions {
  seed: number;
  fps: number;
  mean: Float64Array;
  std: Float64Array;
  context: number;
  restMouth: Float64Array;
}

function channelValues(name: string, values: ArrayLike<number> | undefined, count: number, positive: boolean): Float64Array {
  const ok = values !== undefined && values.length === count && Array.from(values).every((v) => Number.isFinite(v) && (!positive || v > 0));
  if (!ok) {
    const what = positive ? 'positive finite numbers' : 'finite numbers';
    throw new MotionError('MOTION_BAD_OPTION', `${name} must hold ${count} ${what}. Passed: ${values === undefined ? 'nothing' : `${values.length} values`}`);
  }
  return Float64Array.from(values);
}

function resolveIdleOptions(options: IdleMotionOptions): ResolvedIdleOptions {
  const seed = options.seed ?? 0;
  checkSeed(seed);
  const fps = options.fps ?? 25;
  if (!Number.isFinite(fps) || fps < MIN_OUTPUT_FPS || fps > MAX_OUTPUT_FPS) {
    throw new MotionError('MOTION_BAD_OPTION', `fps must be between ${MIN_OUTPUT_FPS} and ${MAX_OUTPUT_FPS}. Passed: ${fps}`);
  }
  const context = options.context ?? 10;
  if (!Number.isInteger(context) || context < 1) throw new MotionError('MOTION_BAD_OPTION', `context must be a positive integer. Passed: ${context}`);
  return {
    seed,
    fps,
    mean: channelValues('channelMean', options.channelMean, C, false),
    std: channelValues('channelStd', options.channelStd, C, true),
    context,
    restMouth: channelValues('restMouth', options.restMouth ?? REST_MOUTH, MOUTH_CHANNELS.length, false),
  };
}

function relaxation(fps: number): Relaxation {
  const shortest = MOTION_CHANNELS.map((name) => {
    const seconds = MOUTH_CHANNELS.includes(name) ? RELAX_SECONDS.mouth : name === 'blink_l' || name === 'blink_r' ? RELAX_SECONDS.eyelids : RELAX_SECONDS.other;
    return Math.max(2, Math.round(seconds * fps));
  });
  return createRelaxation(shortest, MOTION_CHANNELS.map((name) => RELAX_SPEED[name] / fps), Math.max(1, COAST_SECONDS * fps));
}

function add(frame: Float64Array, channel: number, value: number): void {
  frame[channel] = frame[channel]! + value;
}

const CLAMPED = MOTION_CHANNELS.flatMap((name): Array<[number, number, number]> => {
  if (name.startsWith('head_')) return [];
  const low = name === 'smile' || name === 'brow_raise' || name === 'gaze_x' || name === 'gaze_y' ? -1 : 0;
  return [[CHANNEL[name], low, 1]];
});

/**
 * Idle and listening motion, frame by frame, for the frames a live session sends while no speech is queued. Idle:
 * breathing, blinks, a slowly drifting head and gaze shifts between fixations. Listening: the same breathing and
 * blinks, the eyes held on the camera, the head tilted and leaning in with less drift and small nods now and then,
 * the brows slightly raised. The mouth stays at rest and never moves. Deterministic: the same seed and the same
 * calls give the same frames.
 */
export function createIdleMotion(options: IdleMotionOptions): IdleMotion {
  const o = resolveIdleOptions(options);
  const rest = restPose(o.mean, o.restMouth);
  const breathing = createBreathing(o.seed, o.fps);
  const drift = createBandLimitedNoise(o.seed, RNG_DOMAIN.idleDrift, DRIFT_CHANNELS.length, DRIFT_CUTOFF_HZ, o.fps);
  const blinks = createIdleBlinks(o.seed, o.fps);
  const gaze = createGazeShifts(o.seed, o.fps);
  const nods = createListeningNods(o.seed, o.fps);
  const attention = createSmoothFollower(ATTENTION_SECONDS, o.fps);
  const relax = relaxation(o.fps);
  const history = createMotionHistory(o.context, rest);
  const tiltSide = uniformDraws(o.seed, 0, RNG_DOMAIN.listeningTilt, 1)[0]! < 0.5 ? -1 : 1;
  let ownFrame: Float64Array = rest.slice();
  let frameCount = 0;

  const makeOwnFrame = (state: IdleState): Float64Array => {
    const frame = rest.slice();
    const listening = attention.next(state === 'listening' ? 1 : 0);
    const wander = drift.next();
    const driftShare = 1 - (1 - LISTENING_DRIFT) * listening;
    DRIFT_CHANNELS.forEach((name, i) => add(frame, CHANNEL[name], driftShare * DRIFT_SPREAD[name] * wander[i]!));
    const breath = breathing.next();
    for (const [name, lift] of Object.entries(BREATH_LIFT) as Array<[MotionChannel, number]>) add(frame, CHANNEL[name], breath * lift);
    for (const [name, offset] of Object.entries(LISTENING_OFFSET) as Array<[MotionChannel, number]>) {
      add(frame, CHANNEL[name], listening * (name === 'head_roll' ? tiltSide : 1) * offset);
    }
    add(frame, CHANNEL.head_pitch, listening * nods.next(listening > 0.5));
    const blink = blinks.next();
    frame[CHANNEL.blink_l] = blink;
    frame[CHANNEL.blink_r] = blink;
    const [wanderX, wanderY] = gaze.next();
    const cameraX = (-CAMERA_COMPENSATION * (frame[CHANNEL.head_yaw]! - o.mean[CHANNEL.head_yaw]!)) / DEGREES_PER_GAZE_UNIT;
    const cameraY = (-CAMERA_COMPENSATION * (frame[CHANNEL.head_pitch]! - o.mean[CHANNEL.head_pitch]!)) / DEGREES_PER_GAZE_UNIT;
    add(frame, CHANNEL.gaze_x, (1 - listening) * wanderX + listening * cameraX);
    add(frame, CHANNEL.gaze_y, (1 - listening) * wanderY + listening * cameraY);
    return frame;
  };

  return {
    fps: o.fps,
    get frameCount() {
      return frameCount;
    },
    next(state) {
      if (state !== 'idle' && state !== 'listening') {
        throw new MotionError('MOTION_BAD_OPTION', `state must be "idle" or "listening". Passed: ${String(state)}`);
      }
      ownFrame = makeOwnFrame(state);
      const frame = ownFrame.slice();
      relax.apply(frame);
      for (const [c, low, high] of CLAMPED) frame[c] = Math.min(high, Math.max(low, frame[c]!));
      const out = Float32Array.from(frame);
      history.push(out);
      frameCount += 1;
      return out;
    },
    startFrom(recent) {
      const ok = recent.length >= C && recent.length % C === 0 && Array.from(recent).every(Number.isFinite);
      if (!ok) throw new MotionError('MOTION_BAD_TRACK', `startFrom takes n >= 1 frames of ${C} finite values. Passed: ${recent.length} values`);
      const last = recent.length - C;
      const before = Math.max(0, last - C);
      relax.start(
        Array.from({ length: C }, (_, c) => recent[last + c]! - ownFrame[c]!),
        Array.from({ length: C }, (_, c) => recent[last + c]! - recent[before + c]!),
      );
      history.reset(recent);
    },
    tail() {
      return history.normalised(o.mean, o.std);
    },
  };
}
