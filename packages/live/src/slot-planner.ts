import { MOTION_CHANNEL_COUNT as C } from '@portrait-farm/contracts';

/** The state a session shows between utterances. */
export type RestState = 'idle' | 'listening';

/** Motion between utterances, frame by frame (packages/motion's idle generator). */
export interface RestMotion {
  /** The next frame's 20 channels, denormalised. */
  next(state: RestState): Float32Array;
  /** Continues smoothly from the last frames of speech (n * 20 values, oldest first). */
  startFrom(recent: ArrayLike<number>): void;
}

/** What one output slot shows and plays. */
export interface SlotPlan {
  slot: number;
  /** 20 channels, denormalised (pack space, before fitting to the portrait). */
  motion: Float32Array;
  /** The slot's audio, 16 kHz mono (silence unless speech). */
  audio: Float32Array;
  kind: RestState | 'speech' | 'held';
  /** The utterance shown, and its frame, for speech slots. */
  utterance: number | null;
  speechFrame: number | null;
  /** The utterance a speech or held slot belongs to. */
  from: PlannedUtterance | null;
  /** A speech slot showing its utterance's last frame. */
  lastOfUtterance: boolean;
}

/** One utterance as the planner sees it: motion frames ready to show and the audio they go with. */
export interface PlannedUtterance {
  readonly id: number;
  /** Motion frames ready (denormalised, 20 per frame), in order from frame 0. */
  readonly motion: Float32Array[];
  /** Audio of frame f: samples [f*samplesPerSlot, (f+1)*samplesPerSlot). */
  audioOf(frame: number, into: Float32Array): void;
  /** Frames in the utterance once it has ended, else null. */
  totalFrames(): number | null;
}

/** Events the planner reports as slots are planned. */
export interface PlannerEvents {
  /** The utterance's first frame was planned at `slot`. */
  started(utterance: number, slot: number): void;
  /** Its last frame was planned: it played to the end. */
  finished(utterance: number, frames: number): void;
}

/**
 * Decides each output slot in turn: the next speech frame when one is ready, a held frame when speech has started
 * but its next frame is late (the utterance and its audio then shift by one slot, so sound and picture stay
 * together), and rest motion (idle or listening) otherwise. Speech frames go out one per slot, in order, with the
 * audio they were made from.
 */
export class SlotPlanner {
  readonly #rest: RestMotion;
  readonly #samplesPerSlot: number;
  readonly #events: PlannerEvents;
  readonly #mayStart: (utterance: PlannedUtterance) => boolean;
  #state: RestState = 'idle';
  #queue: PlannedUtterance[] = [];
  #shown = 0;
  #nextSlot = 0;
  #last: Float32Array;
  #lateFrames = 0;
  #recent: Float32Array[] = [];

  /**
   * `mayStart`: whether an utterance whose first frame is ready may go out now (a session waits a little past that,
   * so that the motion of paced audio keeps ahead of its slots and speech is not held just after it starts).
   */
  constructor(rest: RestMotion, samplesPerSlot: number, events: PlannerEvents, mayStart: (utterance: PlannedUtterance) => boolean = () => true) {
    this.#mayStart = mayStart;
    this.#rest = rest;
    this.#samplesPerSlot = samplesPerSlot;
    this.#events = events;
    this.#last = new Float32Array(C);
  }

  get nextSlot(): number {
    return this.#nextSlot;
  }

  /** Slots that showed a held frame because speech was late. */
  get lateFrames(): number {
    return this.#lateFrames;
  }

  /** The utterance on screen (or next to be), and how many of its frames went out. */
  get current(): { id: number; shown: number } | null {
    const head = this.#queue[0];
    return head === undefined ? null : { id: head.id, shown: this.#shown };
  }

  setState(state: RestState): void {
    this.#state = state;
  }

  enqueue(utterance: PlannedUtterance): void {
    this.#queue.push(utterance);
  }

  /** Drops every utterance (barge-in); returns the one on screen and how many of its frames went out. */
  clear(): { id: number; shown: number } | null {
    const current = this.#shown > 0 ? this.current : null;
    if (this.#shown > 0) this.#rest.startFrom(this.recentMotion(RELAY_FRAMES));
    this.#queue = [];
    this.#shown = 0;
    return current;
  }

  /** The last `count` planned frames' motion (count * 20 values; the earliest repeat the first when fewer exist). */
  recentMotion(count: number): Float32Array {
    const out = new Float32Array(count * C);
    for (let i = 0; i < count; i++) {
      const frame = this.#recent[Math.max(0, this.#recent.length - count + i)] ?? this.#last;
      out.set(frame, i * C);
    }
    return out;
  }

  /** Plans the next slot. */
  plan(): SlotPlan {
    const slot = this.#nextSlot++;
    const audio = new Float32Array(this.#samplesPerSlot);
    const speech = this.#planSpeech(slot, audio);
    if (speech !== null) return speech;
    const motion = this.#rest.next(this.#state);
    this.#remember(motion);
    return { slot, motion, audio, kind: this.#state, utterance: null, speechFrame: null, from: null, lastOfUtterance: false };
  }

  #remember(motion: Float32Array): void {
    if (motion === this.#last) return;
    this.#last = motion;
    this.#recent.push(motion);
    if (this.#recent.length > RECENT_FRAMES) this.#recent.shift();
  }

  #planSpeech(slot: number, audio: Float32Array): SlotPlan | null {
    const head = this.#queue[0];
    if (head === undefined) return null;
    const frame = this.#shown;
    const ready = head.motion[frame];
    const total = head.totalFrames();
    if (frame === 0 && ready !== undefined && !this.#mayStart(head)) return null;
    if (ready !== undefined) {
      if (frame === 0) this.#events.started(head.id, slot);
      head.audioOf(frame, audio);
      head.motion[frame] = EMPTY;
      this.#shown += 1;
      this.#remember(ready);
      const last = this.#shown === head.totalFrames();
      if (last) this.#finish(head);
      return { slot, motion: ready, audio, kind: 'speech', utterance: head.id, speechFrame: frame, from: head, lastOfUtterance: last };
    }
    if (total === 0) {
      this.#finish(head);
      return null;
    }
    if (frame === 0) return null;
    this.#lateFrames += 1;
    return { slot, motion: this.#last, audio, kind: 'held', utterance: head.id, speechFrame: null, from: head, lastOfUtterance: false };
  }

  #finish(head: PlannedUtterance): void {
    this.#events.finished(head.id, this.#shown);
    this.#queue.shift();
    this.#shown = 0;
    this.#rest.startFrom(this.recentMotion(RELAY_FRAMES));
  }
}

/** Frames of speech the rest motion continues from (their last step is its starting velocity). */
const RELAY_FRAMES = 4;
/** Planned frames remembered for contexts. */
const RECENT_FRAMES = 32;

/** A frame already handed out: its slot in `motion` is released so a long utterance does not hold every frame. */
const EMPTY = new Float32Array(0);
