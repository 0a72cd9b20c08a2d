import { describe, expect, it } from 'vitest';
import type { RenderProgress } from './engine-contract.ts';
import { createProgressDisplay } from './progress-bar.ts';
import { collectingStream, manualClock } from './test-streams.ts';

function render(done: number, total = 100, fps = 20, eta: number | null = (total - done) / 20): RenderProgress {
  return { stage: 'render', done, total, framesPerSecond: fps, etaSeconds: eta };
}

describe('progress display on a terminal', () => {
  it('redraws one line with stage, bar, frames, fps and the stage ETA while the whole render has no rate yet', () => {
    const stream = collectingStream({ isTTY: true, columns: 100 });
    const clock = manualClock();
    const display = createProgressDisplay(stream, { now: clock.now });
    display.update(render(50, 100, 24.5, 65));
    expect(stream.text()).toBe('\r\x1b[2Krender [############------------]  50%  50/100 frames  24.5 fps  render ETA 1:05');
  });

  it('gives the ETA of the whole render, with the stage ETA in brackets', () => {
    const stream = collectingStream({ isTTY: true, columns: 120 });
    const clock = manualClock();
    const display = createProgressDisplay(stream, { now: clock.now });
    // motion (the first segment's) gives no rate for the whole render: only the stage ETA.
    display.update({ stage: 'motion', done: 0, total: 100, framesPerSecond: 0, etaSeconds: null });
    clock.advance(10_000);
    display.update({ stage: 'motion', done: 50, total: 100, framesPerSecond: 5, etaSeconds: 10 });
    expect(stream.text().split('\r\x1b[2K').at(-1)).toBe('motion [############------------]  50%  50/100 frames  5.0 fps  motion ETA 0:10');
    // render: 0.96; a quarter of it in 24 s -> 100 s per unit of weight: 72 s of render and 4 s of encode left.
    display.update(render(0, 200, 0, null));
    clock.advance(24_000);
    display.update(render(50, 200, 2.1, 72));
    expect(stream.text().split('\r\x1b[2K').at(-1)).toBe('render [######------------------]  25%  50/200 frames  2.1 fps  ETA 1:16 (render 1:12)');
  });

  it('redraws at most every 100 ms, but always on a new stage and at the end', () => {
    const stream = collectingStream({ isTTY: true });
    const clock = manualClock();
    const display = createProgressDisplay(stream, { now: clock.now });
    display.update({ stage: 'face', done: 0, total: 0, framesPerSecond: 0, etaSeconds: null });
    display.update(render(1));
    clock.advance(50);
    display.update(render(2));
    clock.advance(60);
    display.update(render(3));
    clock.advance(10);
    display.update(render(100));
    display.close();
    const draws = stream.text().split('\r\x1b[2K').filter((s) => s !== '');
    expect(draws.map((d) => d.split(' ')[0])).toEqual(['face', 'render', 'render', 'render']);
    expect(draws[0]).toBe('face   [------------------------]   0%');
    expect(draws[2]).toContain(' 3/100 frames');
    expect(draws[3]).toContain('100/100 frames');
    expect(stream.text().endsWith('\n')).toBe(true);
  });

  it('fits the line into narrow terminals and prints notes above it', () => {
    const stream = collectingStream({ isTTY: true, columns: 30 });
    const display = createProgressDisplay(stream, { now: manualClock().now });
    display.update(render(10));
    display.note('provider cpu');
    const lines = stream.text().split('\r\x1b[2K').filter((s) => s !== '');
    expect(lines[0]?.length).toBe(29);
    expect(lines[1]).toBe('provider cpu\n');
    expect(lines[2]).toBe(lines[0]);
  });
});

describe('progress display on a pipe or file', () => {
  it('prints a plain line per stage and then every 5 s', () => {
    const stream = collectingStream({ isTTY: false });
    const clock = manualClock();
    const display = createProgressDisplay(stream, { now: clock.now });
    display.update({ stage: 'decode', done: 0, total: 1, framesPerSecond: 0, etaSeconds: null });
    clock.advance(10);
    display.update({ stage: 'decode', done: 1, total: 1, framesPerSecond: 100, etaSeconds: 0 });
    display.update(render(0, 200, 0, null));
    for (let frame = 1; frame <= 200; frame += 1) {
      clock.advance(50);
      display.update(render(frame, 200, 20, (200 - frame) / 20));
    }
    display.close();
    expect(stream.text()).toBe(
      [
        'decode',
        'render (0%): 0/200 frames',
        'render (50%): 100/200 frames  20.0 fps  ETA 0:05 (render 0:05)',
        'render (100%): 200/200 frames  20.0 fps  ETA 0:00 (render 0:00)',
        '',
      ].join('\n'),
    );
  });
});
