import { describe, expect, it } from 'vitest';
import { createJsonReporter } from './json-reporter.ts';
import { toReportedError } from './render-reporter.ts';
import { collectingStream, manualClock } from './test-streams.ts';

function events(text: string): Array<Record<string, unknown>> {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const result = {
  out: 'out/x.mp4', frames: 91, fps: 25, width: 512, height: 512, durationSeconds: 3.64, provider: 'cpu',
  timings: { render: 2.5 },
};

describe('JSON reporter', () => {
  it('writes one object per line: throttled progress, then done', () => {
    const stream = collectingStream();
    const clock = manualClock();
    const reporter = createJsonReporter(stream, { verbose: false, now: clock.now });
    reporter.progress({ stage: 'audio', done: 1, total: 1, framesPerSecond: 0, etaSeconds: null });
    for (let frame = 1; frame <= 10; frame += 1) {
      clock.advance(100);
      reporter.progress({ stage: 'render', done: frame, total: 10, framesPerSecond: 10, etaSeconds: 10 - frame });
    }
    reporter.log('not shown without --verbose');
    reporter.done(result, 1.23456);
    const lines = events(stream.text());
    expect(lines.map((e) => `${String(e['event'])}:${String(e['stage'] ?? '')}:${String(e['done'] ?? '')}`)).toEqual([
      'progress:audio:1',
      'progress:render:1',
      'progress:render:4',
      'progress:render:7',
      'progress:render:10',
      'done::',
    ]);
    expect(lines[1]).toEqual({ event: 'progress', stage: 'render', done: 1, total: 10, framesPerSecond: 10, etaSeconds: 9 });
    expect(lines[5]).toEqual({ event: 'done', ...result, wallSeconds: 1.235 });
  });

  it('reports errors with their code and message, and the stack only when verbose', () => {
    const quiet = collectingStream();
    const failure = Object.assign(new Error('No face found in portrait.png'), { code: 'ENGINE_NO_FACE' });
    createJsonReporter(quiet, { verbose: false }).error(toReportedError(failure));
    expect(events(quiet.text())).toEqual([{ event: 'error', code: 'ENGINE_NO_FACE', message: 'No face found in portrait.png' }]);

    const verbose = collectingStream();
    const reporter = createJsonReporter(verbose, { verbose: true });
    reporter.log('provider cpu');
    reporter.error(toReportedError(new TypeError('boom')));
    const [log, error] = events(verbose.text());
    expect(log).toEqual({ event: 'log', line: 'provider cpu' });
    expect(error).toMatchObject({ event: 'error', code: 'UNEXPECTED', message: 'boom' });
    expect(String(error?.['stack'])).toContain('TypeError: boom');
  });

  it('sends notices without --verbose', () => {
    const stream = collectingStream();
    createJsonReporter(stream, { verbose: false }).notice('The portrait is 4000x3000; it is rendered at 1920x1440 (long side at most 1920).');
    expect(events(stream.text())).toEqual([{ event: 'notice', line: 'The portrait is 4000x3000; it is rendered at 1920x1440 (long side at most 1920).' }]);
  });
});
