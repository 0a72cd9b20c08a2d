import { describe, expect, it } from 'vitest';
import type { RenderProgress } from './engine-contract.ts';
import { createRenderEta, STAGE_WEIGHTS } from './render-eta.ts';
import { manualClock } from './test-streams.ts';

const at = (stage: RenderProgress['stage'], done: number, total: number): RenderProgress => ({ stage, done, total, framesPerSecond: 0, etaSeconds: null });

describe('whole-render ETA', () => {
  it('has no estimate before a frame stage has made progress', () => {
    const clock = manualClock();
    const eta = createRenderEta(clock.now);
    expect(eta.update(at('decode', 0, 1))).toBeNull();
    clock.advance(500);
    expect(eta.update(at('face', 1, 1))).toBeNull();
    expect(eta.update(at('motion', 0, 50))).toBeNull();
  });

  it('weights the stages still to come by the rate of the current one', () => {
    const clock = manualClock();
    const eta = createRenderEta(clock.now);
    eta.update(at('motion', 0, 100));
    clock.advance(20_000);
    // The motion stage (the first segment's) gives no rate.
    expect(eta.update(at('motion', 100, 100))).toBeNull();
    eta.update(at('render', 0, 300));
    clock.advance(30_000);
    // A third of render (0.76) in 30 s: ~118 s per unit; two thirds of render and the encode are left.
    const spw = 30 / (STAGE_WEIGHTS['render']! / 3);
    expect(eta.update(at('render', 100, 300))).toBeCloseTo(spw * ((2 * STAGE_WEIGHTS['render']!) / 3 + STAGE_WEIGHTS['encode']!));
    // encode's 0 of 1 keeps the last rate; done is 0.
    expect(eta.update(at('encode', 0, 1))).toBeCloseTo(spw * STAGE_WEIGHTS['encode']!);
    expect(eta.update(at('done', 1, 1))).toBe(0);
  });

  it('counts down as the render stage goes on at a steady rate', () => {
    const clock = manualClock();
    const eta = createRenderEta(clock.now);
    eta.update(at('render', 0, 100));
    const left: number[] = [];
    for (let frame = 10; frame <= 100; frame += 10) {
      clock.advance(1000);
      left.push(eta.update(at('render', frame, 100))!);
    }
    expect(left.every((seconds, i) => i === 0 || seconds < left[i - 1]!)).toBe(true);
    expect(left.at(-1)).toBeCloseTo((10 / STAGE_WEIGHTS['render']!) * STAGE_WEIGHTS['encode']!);
  });
});
