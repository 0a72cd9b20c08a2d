import { describe, expect, it } from 'vitest';
import { MediaPacer, type PacedItem } from './media-pacer.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A pacer that records each send: when (performance.now()) and what. */
function recordingPacer(delayMs: number): { pacer: MediaPacer<string>; sends: Array<{ at: number; items: Array<PacedItem<string>> }> } {
  const sends: Array<{ at: number; items: Array<PacedItem<string>> }> = [];
  const pacer = new MediaPacer<string>({ delayMs, send: (items) => sends.push({ at: performance.now(), items }) });
  return { pacer, sends };
}

describe('MediaPacer', () => {
  it('sends each item at its media time plus the delay, not before, in order', async () => {
    const { pacer, sends } = recordingPacer(25);
    const start = performance.now();
    pacer.setStart(start);
    for (let i = 0; i < 5; i += 1) pacer.push(i * 0.02, `packet ${i}`);
    await sleep(200);
    const sent = sends.flatMap(({ at, items }) => items.map(({ mediaSeconds, item }) => ({ at, mediaSeconds, item })));
    expect(sent.map((s) => s.item)).toEqual(['packet 0', 'packet 1', 'packet 2', 'packet 3', 'packet 4']);
    for (const { at, mediaSeconds } of sent) {
      // Timers fire on whole milliseconds: at most 1 ms early.
      expect(at).toBeGreaterThanOrEqual(start + mediaSeconds * 1000 + 25 - 1);
    }
    expect(pacer.held).toBe(0);
  });

  it('sends every item that fell due while the event loop was held up at once, oldest first', async () => {
    const { pacer, sends } = recordingPacer(0);
    const start = performance.now();
    pacer.setStart(start);
    for (let i = 0; i < 8; i += 1) pacer.push(0.01 + i * 0.02, `packet ${i}`);
    while (performance.now() < start + 100) {
      // Holds the event loop for 100 ms: packets 0-4 fall due meanwhile.
    }
    await sleep(0);
    expect(sends[0]!.items.map(({ item }) => item)).toEqual(['packet 0', 'packet 1', 'packet 2', 'packet 3', 'packet 4']);
    await sleep(120);
    expect(sends.flatMap(({ items }) => items.map(({ item }) => item))).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => `packet ${i}`));
  });

  it('holds items until media time 0 is set; an item pushed after its time goes out at once', async () => {
    const { pacer, sends } = recordingPacer(10);
    pacer.push(0, 'early');
    await sleep(30);
    expect(sends).toEqual([]);
    expect(pacer.held).toBe(1);
    pacer.setStart(performance.now() - 1000);
    expect(sends.map(({ items }) => items.map(({ item }) => item))).toEqual([['early']]);
    pacer.push(0.5, 'late');
    expect(sends.at(-1)!.items.map(({ item }) => item)).toEqual(['late']);
  });

  it('moving media time 0 earlier (the clock settling) sends what is due on the new clock', () => {
    const { pacer, sends } = recordingPacer(0);
    const now = performance.now();
    pacer.setStart(now + 1000);
    pacer.push(0, 'a');
    pacer.push(0.5, 'b');
    expect(sends).toEqual([]);
    pacer.setStart(now - 100);
    expect(sends.map(({ items }) => items.map(({ item }) => item))).toEqual([['a']]);
    pacer.stop();
  });

  it('flush sends everything held at once; stop drops it; both end the pacer', async () => {
    const flushed = recordingPacer(0);
    flushed.pacer.setStart(performance.now());
    flushed.pacer.push(10, 'later');
    flushed.pacer.push(20, 'much later');
    flushed.pacer.flush();
    expect(flushed.sends.map(({ items }) => items.map(({ item }) => item))).toEqual([['later', 'much later']]);
    flushed.pacer.push(0, 'after flush');
    const stopped = recordingPacer(0);
    stopped.pacer.setStart(performance.now());
    stopped.pacer.push(0.03, 'dropped');
    stopped.pacer.stop();
    await sleep(60);
    expect(stopped.sends).toEqual([]);
    expect(flushed.sends).toHaveLength(1);
  });

  it('refuses a delay that is not a finite number >= 0, naming it', () => {
    expect(() => new MediaPacer({ delayMs: -5, send: () => {} })).toThrow('delayMs must be a finite number >= 0. Passed: -5');
    expect(() => new MediaPacer({ delayMs: Number.NaN, send: () => {} })).toThrow(/Passed: NaN/);
  });
});
