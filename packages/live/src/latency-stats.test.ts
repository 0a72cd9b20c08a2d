import { describe, expect, it } from 'vitest';
import { LatencyRecorder } from './latency-stats.ts';
import type { LiveFrame } from './live-session.ts';

function frame(slot: number, due: number, kind: LiveFrame['kind'] = 'idle'): LiveFrame {
  return { slot, pts: slot / 25, picture: new Uint8Array(0), audio: new Float32Array(0), kind, lastOfUtterance: false, motion: new Float32Array(20), utterance: null, speechFrame: null, due, planned: due - 80, rendered: due - 70, speech: null };
}

describe('LatencyRecorder', () => {
  it('counts frames sent after their time and held frames as late, but not slot 0, which goes out before the clock starts', () => {
    const recorder = new LatencyRecorder();
    recorder.record(frame(0, 100), 900);
    recorder.record(frame(1, 1000), 990);
    recorder.record(frame(2, 1040), 1041);
    recorder.record(frame(3, 1080, 'held'), 1070);
    expect(recorder.summary()).toMatchObject({ frames: 4, lateSent: 1, held: 1, late: 2 });
  });
});
