import { MOTION_CHANNEL_COUNT as C } from '@portrait-farm/contracts';
import { retargetToPortrait, type Engine, type EngineWatermark, type RenderPool } from '@portrait-farm/engine';
import { applyControls, createMotionGenerator, type MotionControls, type MotionGenerator } from '@portrait-farm/motion';
import { SlotPlanner, type RestMotion, type RestState, type SlotPlan } from './slot-planner.ts';
import { SpeechStepper } from './speech-stepper.ts';
import { Utterance, type FrameTimes, type UtteranceFeatures } from './utterance.ts';

/** Motion frames a denoiser window hands out; see docs/realtime.md, "Latency", for how it was chosen. */
export const DEFAULT_HOP_FRAMES = 4;
/** Feature rows past a hop awaited before it is denoised. */
export const DEFAULT_LOOKAHEAD_FRAMES = 2;
/** Denoiser steps of a live window (the pack's default is for batch windows; see docs/realtime.md, "Latency"). */
export const DEFAULT_LIVE_STEPS = 6;
/** How long after its first frame is ready an utterance starts. */
export const DEFAULT_START_MARGIN_MS = 60;
/** How long before its time a slot is planned and rendered. */
export const DEFAULT_LEAD_MS = 80;

/** Frames of audio past a feature row that its computation may read (the feature stream's look-ahead, rounded up). */
const FEATURE_LOOKAHEAD_FRAMES = 5;
/** Speech frames made but not yet planned, at most: a second at 25 fps. */
const MAX_FRAMES_AHEAD = 25;
/** Batches of slots planned but not yet handed out, at most: a machine that keeps up has one or two. */
const MAX_RENDER_CALLS = 3;
/** Pictures kept for reuse once their frame went out, at most. */
const MAX_SPARE_PICTURES = 8;

/** A monotonic clock in milliseconds. */
export interface LiveClock {
  now(): number;
}

/** Options of {@link startLiveSession}. */
export interface LiveSessionOptions {
  engine: Engine;
  /** The avatar on the render threads. */
  pool: RenderPool;
  /** The portrait's own channel values, which motion is fitted to. */
  neutral: Float32Array;
  controls?: MotionControls;
  rest: RestMotion;
  /** Feature rows for a new utterance. */
  features: () => UtteranceFeatures;
  seed?: number;
  /**
   * The motion model: a denoiser with the pack's signature, such as the pack's model for sessions
   * (`live_denoiser`, trained to hear only its hop and look-ahead). @defaultValue the engine's denoiser
   */
  denoiser?: Engine['denoiser'];
  /** Denoiser steps per window. @defaultValue DEFAULT_LIVE_STEPS */
  steps?: number | null;
  guidance?: number | null;
  /** Motion frames each denoiser window hands out. @defaultValue DEFAULT_HOP_FRAMES */
  hopFrames?: number;
  /** Feature rows past a hop that must have arrived before it is denoised. @defaultValue DEFAULT_LOOKAHEAD_FRAMES */
  lookaheadFrames?: number;
  /**
   * How long after its first frame is ready an utterance starts (ms): a margin against the motion of paced audio
   * arriving late for its slots. @defaultValue DEFAULT_START_MARGIN_MS
   */
  startMarginMs?: number;
  /** How long before its time a slot is planned and rendered (ms). @defaultValue DEFAULT_LEAD_MS */
  leadMs?: number;
  /** Frames as RGB24 or yuv420p. @defaultValue 'yuv420p' */
  format?: 'rgb24' | 'yuv420p';
  label?: boolean;
  watermark?: EngineWatermark | null;
  clock?: LiveClock;
  /** Receives each slot's 16 kHz sound in slot order as soon as the slot is planned, ahead of its picture. */
  onPlanned?: (slot: number, audio: Float32Array) => void;
  /** Receives every frame in slot order; the session waits for it before handing out the next. */
  onFrame: (frame: LiveFrame) => Promise<void> | void;
  onEvent?: (event: LiveEvent) => void;
}

/** One output frame and the audio that plays with it. */
export interface LiveFrame {
  slot: number;
  /** Presentation time in seconds from the session's start. */
  pts: number;
  /** The picture, the receiver's until `onFrame` resolves: the session then reuses its buffer (copy what you keep). */
  picture: Uint8Array;
  /** 16 kHz mono samples for the slot. */
  audio: Float32Array;
  kind: SlotPlan['kind'];
  /** A speech frame, the last of its utterance. */
  lastOfUtterance: boolean;
  /** The slot's motion (20 channels, pack space, before fitting to the portrait and the controls). */
  motion: Float32Array;
  utterance: number | null;
  speechFrame: number | null;
  /** Session clock (ms): when the slot was due, planned and rendered; for speech, when its parts happened. */
  due: number;
  planned: number;
  rendered: number;
  speech: FrameTimes | null;
}

export type LiveEvent =
  | { type: 'playback_started'; utterance: number; slot: number; at: number }
  | { type: 'playback_finished'; utterance: number; frames: number; interrupted: boolean; positionSeconds: number; at: number }
  | { type: 'error'; message: string };

/** A running session. */
export interface LiveSession {
  readonly fps: number;
  /** 16 kHz mono samples of the current utterance (one is started when none is open). */
  pushAudio(samples: Float32Array): void;
  /** Ends the open utterance: its last frames are made without waiting for more audio. */
  endUtterance(): void;
  /** Barge-in: drops queued audio and speech; reports how far the utterance on screen got. */
  clear(): { utterance: number; positionSeconds: number } | null;
  setState(state: RestState): void;
  close(): Promise<void>;
}

/** Starts the clock: frames go out at the pack's frame rate from now on, rest motion until audio arrives. */
export async function startLiveSession(options: LiveSessionOptions): Promise<LiveSession> {
  const engine = options.engine;
  const pack = engine.pack;
  const fps = pack.fps;
  const samplesPerSlot = Math.round(16000 / fps);
  const clock = options.clock ?? { now: () => performance.now() };
  const leadMs = options.leadMs ?? DEFAULT_LEAD_MS;
  const controls = options.controls ?? {};
  const emit = options.onEvent ?? ((): void => {});
  const generator: MotionGenerator = await createMotionGenerator(pack, options.denoiser ?? engine.denoiser, {
    silenceFeature: engine.silenceFeature,
    seed: options.seed ?? 0,
    steps: options.steps ?? DEFAULT_LIVE_STEPS,
    ...(options.guidance == null ? {} : { guidance: options.guidance }),
  });
  const stepper = new SpeechStepper(
    generator,
    { window: pack.denoiser.window, context: pack.denoiser.context, channelMean: pack.channelMean, channelStd: pack.channelStd, silence: engine.silenceFeature },
    { hopFrames: options.hopFrames ?? DEFAULT_HOP_FRAMES, lookaheadFrames: options.lookaheadFrames ?? DEFAULT_LOOKAHEAD_FRAMES },
  );
  const utterances: Utterance[] = [];
  let open: Utterance | null = null;
  let nextUtterance = 1;
  const startMarginMs = options.startMarginMs ?? DEFAULT_START_MARGIN_MS;
  const planner = new SlotPlanner(
    options.rest,
    samplesPerSlot,
    {
      started: () => {},
      finished: () => {
        utterances.shift();
        void pump();
      },
    },
    (planned) => {
      const utterance = planned as Utterance;
      const first = utterance.times[0];
      // Audio that is already here (a burst, or the end of a short utterance) cannot come late: no need to wait.
      const aheadFrames = utterance.motion.length + (options.hopFrames ?? DEFAULT_HOP_FRAMES) + (options.lookaheadFrames ?? DEFAULT_LOOKAHEAD_FRAMES) + FEATURE_LOOKAHEAD_FRAMES;
      const arrived = utterance.ended || utterance.receivedSamples >= aheadFrames * samplesPerSlot;
      return first === undefined || arrived || clock.now() - first.motion >= startMarginMs;
    },
  );

  let closed = false;
  let failed: Error | null = null;
  const fail = (error: unknown): void => {
    if (failed !== null) return;
    failed = error instanceof Error ? error : new Error(String(error));
    emit({ type: 'error', message: failed.message });
  };

  // Feature rows and motion of the first utterance not yet fully stepped, one step at a time.
  let pumping = false;
  let again = false;
  const pump = async (): Promise<void> => {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      do {
        again = false;
        const target = utterances.find((u) => !u.stepped);
        if (target === undefined || closed) break;
        // Motion runs at most a second ahead of the slots, so a burst of audio does not take the CPU from rendering.
        const unshown = utterances.reduce((sum, u) => sum + u.motion.length, 0) - (planner.current?.shown ?? 0);
        if (unshown >= MAX_FRAMES_AHEAD) break;
        try {
          await target.features.waitFor(stepper.rowsNeeded(target.begun));
        } catch (error) {
          if (utterances.includes(target)) throw error;
          again = true;
          continue;
        }
        if (!utterances.includes(target)) {
          again = true;
          continue;
        }
        const featuresAt = clock.now();
        const rows = target.features.rows;
        if (!target.begun) {
          if (!stepper.canBegin(rows)) continue;
          // Right after the utterance before it, speech goes on from its last frames; else from the frames on screen.
          const follows = utterances.indexOf(target) > 0;
          stepper.begin(follows ? null : planner.recentMotion(pack.denoiser.context));
          target.begun = true;
        }
        if (!stepper.canStep(rows)) continue;
        const frames = await stepper.step(rows);
        if (!utterances.includes(target)) {
          again = true;
          continue;
        }
        target.addMotion(frames, { features: featuresAt, motion: clock.now() });
        target.features.release(stepper.nextFrame);
        again = true;
      } while (again);
    } catch (error) {
      fail(error);
    } finally {
      pumping = false;
    }
  };

  const fit = (plan: SlotPlan): Float32Array => {
    const motion = retargetToPortrait(plan.motion.slice(), options.neutral, pack.channelMean);
    return applyControls({ fps, frameCount: 1, data: motion }, controls, { channelMean: pack.channelMean, firstFrame: plan.slot }).data;
  };

  let start = clock.now() + leadMs;
  const dueOf = (slot: number): number => start + (slot * 1000) / fps;
  let delivering: Promise<void> = Promise.resolve();
  let inFlight = 0;
  // A frame's picture is copied out of the render pool's buffer into one of these, and comes back once it went out:
  // a session makes no picture buffer per frame (each would be allocated, zeroed and collected).
  const sparePictures: Uint8Array[] = [];
  const copyPicture = (frame: Uint8Array): Uint8Array => {
    const picture = sparePictures.pop();
    if (picture === undefined || picture.length !== frame.length) return frame.slice();
    picture.set(frame);
    return picture;
  };
  const sendFrame = async (frame: LiveFrame): Promise<void> => {
    await options.onFrame(frame);
    if (sparePictures.length < MAX_SPARE_PICTURES) sparePictures.push(frame.picture);
  };
  /** Utterances dropped by clear: frames of theirs already planned still go out, without playback events. */
  const interrupted = new Set<number>();
  let timer: NodeJS.Timeout | null = null;

  /** Renders the slots planned in one tick in one call to the render threads. */
  const renderSlots = async (plans: SlotPlan[]): Promise<LiveFrame[]> => {
    const planned = clock.now();
    const fitted = plans.map(fit);
    const pictures: Uint8Array[] = [];
    const first = plans[0]!.slot;
    const marks = options.label === true || options.watermark != null ? { label: options.label === true, watermark: options.watermark ?? null, firstFrame: first } : null;
    await options.pool.renderFrames(plans.length, (i) => fitted[i]!, (frame, i) => void (pictures[i] = copyPicture(frame)), null, marks, options.format ?? 'yuv420p');
    const rendered = clock.now();
    return plans.map((plan, i) => {
      const from = plan.from as Utterance | null;
      return {
        slot: plan.slot,
        pts: plan.slot / fps,
        picture: pictures[i]!,
        audio: plan.audio,
        kind: plan.kind,
        lastOfUtterance: plan.lastOfUtterance,
        motion: plan.motion,
        utterance: plan.utterance,
        speechFrame: plan.speechFrame,
        due: dueOf(plan.slot),
        planned,
        rendered,
        speech: plan.speechFrame === null || from === null ? null : (from.times[plan.speechFrame] ?? null),
      };
    });
  };

  const tick = (): void => {
    timer = null;
    if (closed) return;
    const plans: SlotPlan[] = [];
    // A machine too slow for the clock gets no more render calls than it can work on: the stream falls behind
    // (its frames are sent late) rather than queueing without bound.
    while (failed === null && inFlight < MAX_RENDER_CALLS && dueOf(planner.nextSlot) - leadMs <= clock.now()) {
      const plan = planner.plan();
      options.onPlanned?.(plan.slot, plan.audio);
      plans.push(plan);
    }
    if (plans.some((plan) => plan.kind === 'speech')) void pump();
    if (plans.length > 0) {
      inFlight += 1;
      const rendered = renderSlots(plans);
      rendered.catch(() => {});
      const deliver = async (): Promise<void> => {
        for (const frame of await rendered) {
          await sendFrame(frame);
          // Playback events go with the frames that show them, not with their planning.
          if (frame.utterance !== null && interrupted.has(frame.utterance)) continue;
          if (frame.speechFrame === 0) emit({ type: 'playback_started', utterance: frame.utterance!, slot: frame.slot, at: clock.now() });
          if (frame.lastOfUtterance) {
            const frames = frame.speechFrame! + 1;
            emit({ type: 'playback_finished', utterance: frame.utterance!, frames, interrupted: false, positionSeconds: frames / fps, at: clock.now() });
          }
        }
      };
      delivering = delivering.then(deliver).finally(() => {
        inFlight -= 1;
        if (timer === null && !closed && failed === null) tick();
      });
      delivering.catch(fail);
    }
    // With every render call busy, the next tick comes when one ends.
    if (failed === null && inFlight < MAX_RENDER_CALLS) timer = setTimeout(tick, Math.max(0, dueOf(planner.nextSlot) - leadMs - clock.now()));
  };
  // Slot 0 goes out before the clock starts: the render threads load the portrait and the receiver starts its
  // encoders meanwhile, so that slot 1 and every slot after it can be on time.
  const first = planner.plan();
  options.onPlanned?.(first.slot, first.audio);
  for (const frame of await renderSlots([first])) await sendFrame(frame);
  start = clock.now() + leadMs - 1000 / fps;
  tick();

  return {
    fps,
    pushAudio(samples) {
      if (closed) throw new Error('the session is closed');
      if (open === null) {
        open = new Utterance(nextUtterance++, options.features(), samplesPerSlot, clock.now());
        utterances.push(open);
        planner.enqueue(open);
      }
      open.push(samples, clock.now());
      void pump();
    },
    endUtterance() {
      if (open === null) return;
      open.end();
      open = null;
      void pump();
    },
    clear() {
      const shown = planner.clear();
      const dropped = utterances.splice(0);
      open = null;
      for (const utterance of dropped) utterance.features.close();
      if (shown === null) return null;
      interrupted.add(shown.id);
      const positionSeconds = shown.shown / fps;
      emit({ type: 'playback_finished', utterance: shown.id, frames: shown.shown, interrupted: true, positionSeconds, at: clock.now() });
      return { utterance: shown.id, positionSeconds };
    },
    setState(state) {
      planner.setState(state);
    },
    async close() {
      if (closed) return;
      closed = true;
      if (timer !== null) clearTimeout(timer);
      // Dropped first: a pump waiting on an utterance's audio (the client gone mid-sentence) wakes and stops.
      for (const utterance of utterances.splice(0)) utterance.features.close();
      await delivering.catch(() => {});
      while (pumping) await new Promise((resolve) => setTimeout(resolve, 5));
      await generator.close();
    },
  };
}

