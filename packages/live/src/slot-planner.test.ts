import { describe, expect, it } from 'vitest';
import { MOTION_CHANNEL_COUNT as C } from '@portrait-farm/contracts';
import { SlotPlanner, type PlannedUtterance, type RestMotion, type RestState } from './slot-planner.ts';

const SAMPLES = 640;

/** Rest motion whose channel 0 counts the frames it made and channel 1 names the state (0 idle, 1 listening). */
function countingRest(): RestMotion & { startedFrom: Float32Array[] } {
  let made = 0;
  const startedFrom: Float32Array[] = [];
  return {
    startedFrom,
    next(state: RestState) {
      const frame = new Float32Array(C);
      frame[0] = made++;
      frame[1] = state === 'listening' ? 1 : 0;
      return frame;
    },
    startFrom(recent) {
      startedFrom.push(Float32Array.from(recent).slice(-C));
    },
  };
}

/** An utterance of `frames` frames whose audio sample i of frame f is f + i / SAMPLES and whose motion is -(f+1). */
function utterance(id: number, frames: number, ended = true): PlannedUtterance & { ready(count: number): void } {
  const motion: Float32Array[] = [];
  let total: number | null = ended ? frames : null;
  return {
    id,
    motion,
    audioOf(frame, into) {
      for (let i = 0; i < into.length; i++) into[i] = frame + i / SAMPLES;
    },
    totalFrames: () => total,
    ready(count) {
      for (let i = 0; i < count; i++) {
        const frame = new Float32Array(C);
        frame[0] = -(motion.length + 1);
        motion.push(frame);
      }
      if (!ended && motion.length === frames) total = frames;
    },
  };
}

function planner(rest = countingRest(), mayStart?: (utterance: PlannedUtterance) => boolean) {
  const events: string[] = [];
  const p = new SlotPlanner(
    rest,
    SAMPLES,
    {
      started: (id, slot) => events.push(`start ${id}@${slot}`),
      finished: (id, frames) => events.push(`end ${id}:${frames}`),
    },
    mayStart,
  );
  return { p, events, rest };
}

describe('SlotPlanner', () => {
  it('shows rest motion until speech is ready, then every speech frame once, in order, with its own audio', () => {
    const { p, events } = planner();
    const u = utterance(1, 3);
    expect(p.plan().kind).toBe('idle');
    p.enqueue(u);
    expect(p.plan().kind).toBe('idle'); // nothing ready yet: the utterance has not started, so nothing is late
    u.ready(3);
    const speech = [p.plan(), p.plan(), p.plan()];
    expect(speech.map((s) => [s.kind, s.speechFrame, s.motion[0]])).toEqual([
      ['speech', 0, -1],
      ['speech', 1, -2],
      ['speech', 2, -3],
    ]);
    expect(speech.map((s) => s.audio[0])).toEqual([0, 1, 2]);
    expect(speech[1]!.audio[SAMPLES - 1]).toBeCloseTo(1 + (SAMPLES - 1) / SAMPLES, 6);
    expect(p.plan().kind).toBe('idle');
    expect(events).toEqual(['start 1@2', 'end 1:3']);
    expect(p.lateFrames).toBe(0);
  });

  it('holds the last frame with silence when started speech is late, so picture and sound shift together', () => {
    const { p } = planner();
    const u = utterance(1, 3, false);
    p.enqueue(u);
    u.ready(1);
    const first = p.plan();
    const held = p.plan();
    expect(held.kind).toBe('held');
    expect(held.motion).toBe(first.motion);
    expect(Array.from(held.audio).every((v) => v === 0)).toBe(true);
    u.ready(2);
    expect([p.plan().speechFrame, p.plan().speechFrame]).toEqual([1, 2]);
    expect(p.lateFrames).toBe(1);
    expect(p.plan().kind).toBe('idle');
  });

  it('plays utterances back to back and rests from the last speech frame', () => {
    const { p, events, rest } = planner();
    const a = utterance(1, 2);
    const b = utterance(2, 1);
    p.enqueue(a);
    p.enqueue(b);
    a.ready(2);
    b.ready(1);
    expect([p.plan(), p.plan(), p.plan()].map((s) => `${s.utterance}:${s.speechFrame}`)).toEqual(['1:0', '1:1', '2:0']);
    expect(events).toEqual(['start 1@0', 'end 1:2', 'start 2@2', 'end 2:1']);
    expect(rest.startedFrom.at(-1)![0]).toBe(-1);
  });

  it('clear drops queued speech at once, says how far the utterance on screen got, and rests from its last frame', () => {
    const { p, rest } = planner();
    const u = utterance(7, 10);
    p.enqueue(u);
    u.ready(10);
    p.plan();
    p.plan();
    p.plan();
    expect(p.clear()).toEqual({ id: 7, shown: 3 });
    expect(rest.startedFrom.at(-1)![0]).toBe(-3);
    expect(p.plan().kind).toBe('idle');
    expect(p.clear()).toBeNull();
  });

  it('starts an utterance only when the session says it may, then never holds it back', () => {
    let allowed = false;
    const { p } = planner(countingRest(), () => allowed);
    const u = utterance(1, 3, false);
    p.enqueue(u);
    u.ready(1);
    expect([p.plan().kind, p.plan().kind]).toEqual(['idle', 'idle']);
    allowed = true;
    expect(p.plan().speechFrame).toBe(0);
    allowed = false;
    u.ready(2);
    expect([p.plan().speechFrame, p.plan().speechFrame]).toEqual([1, 2]);
    expect(p.lateFrames).toBe(0);
  });

  it('shows the listening state when asked, and gives the last frames as context', () => {
    const { p } = planner();
    p.plan();
    p.setState('listening');
    const listening = p.plan();
    expect(listening.kind).toBe('listening');
    expect(listening.motion[1]).toBe(1);
    const recent = p.recentMotion(3);
    expect([recent[0], recent[C], recent[2 * C]]).toEqual([0, 0, 1]); // fewer than 3 frames: the first repeats
  });
});
