import { describe, expect, it } from 'vitest';
import { ProgressReporter, type RenderProgress } from './progress.ts';

describe('ProgressReporter', () => {
  it('reports rate and ETA, throttles within a stage and times every stage', () => {
    let clock = 0;
    const events: RenderProgress[] = [];
    const reporter = new ProgressReporter((p) => events.push(p), () => clock, 100);
    reporter.start('decode');
    clock = 500;
    reporter.start('render', 100);
    clock = 1500;
    reporter.advance(25);
    clock = 1550;
    reporter.advance(26);
    clock = 2500;
    reporter.advance(100);
    const timings = reporter.finish();

    expect(events.map((e) => `${e.stage}:${e.done}/${e.total}`)).toEqual(['decode:0/1', 'render:0/100', 'render:25/100', 'render:100/100', 'done:1/1']);
    expect(events[2]).toMatchObject({ framesPerSecond: 25, etaSeconds: 3 });
    expect(events[1]?.etaSeconds).toBeNull();
    expect(timings).toEqual({ decode: 0.5, render: 2 });
  });

  it('moves time attributed to another stage out of the current one', () => {
    let clock = 0;
    const reporter = new ProgressReporter(undefined, () => clock);
    reporter.start('motion', 10);
    reporter.attribute('audio', 0.25);
    clock = 1000;
    reporter.attribute('audio', 0.25);
    reporter.start('render');
    clock = 1500;
    expect(reporter.finish()).toEqual({ audio: 0.5, motion: 0.5, render: 0.5 });
  });
});
