import { describe, expect, it } from 'vitest';
import { WARNING_PREFIX } from '@portrait-farm/engine';
import { ENGINE_WARNING_PREFIX } from './engine-contract.ts';
import { createHumanReporter, engineLog, toReportedError } from './render-reporter.ts';
import { collectingStream, manualClock } from './test-streams.ts';

const result = {
  out: 'out/clip.mp4', frames: 91, fps: 25, width: 512, height: 512, durationSeconds: 3.64, provider: 'webgpu',
  timings: { audio: 0.4, render: 2.5 },
};

describe('human reporter', () => {
  it('ends the progress line and prints a summary on stdout', () => {
    const stdout = collectingStream();
    const stderr = collectingStream({ isTTY: true });
    const reporter = createHumanReporter(stdout, stderr, { verbose: false, now: manualClock().now });
    reporter.progress({ stage: 'render', done: 91, total: 91, framesPerSecond: 30, etaSeconds: 0 });
    reporter.done(result, 75.2);
    expect(stderr.text().endsWith('\n')).toBe(true);
    expect(stdout.text()).toBe('Wrote out/clip.mp4: 91 frames, 512x512 at 25 fps, 3.64 s of video, provider webgpu in 1:15\n');
  });

  it('adds engine log lines and timings with --verbose only', () => {
    const stdout = collectingStream();
    const stderr = collectingStream();
    const reporter = createHumanReporter(stdout, stderr, { verbose: true });
    reporter.log('provider webgpu');
    reporter.done(result, 3);
    expect(stderr.text()).toBe('provider webgpu\n');
    expect(stdout.text()).toContain('Timings: audio 0.40 s, render 2.50 s\n');

    const quiet = collectingStream();
    createHumanReporter(collectingStream(), quiet, { verbose: false }).log('provider webgpu');
    expect(quiet.text()).toBe('');
  });

  it('prints the error code and message without a stack, unless verbose', () => {
    const error = Object.assign(new Error('Audio is 0.2 s long; at least 0.5 s is needed'), { code: 'MEDIA_AUDIO_TOO_SHORT' });
    const stderr = collectingStream();
    createHumanReporter(collectingStream(), stderr, { verbose: false }).error(toReportedError(error));
    expect(stderr.text()).toBe('Render failed [MEDIA_AUDIO_TOO_SHORT]: Audio is 0.2 s long; at least 0.5 s is needed\n');

    const verbose = collectingStream();
    createHumanReporter(collectingStream(), verbose, { verbose: true }).error(toReportedError(error));
    expect(verbose.text()).toContain('    at ');
  });

  it('treats thrown non-errors and code-less errors as UNEXPECTED', () => {
    expect(toReportedError('just a string')).toEqual({ code: 'UNEXPECTED', message: 'just a string', stack: null });
    expect(toReportedError(Object.assign(new Error('x'), { code: 42 })).code).toBe('UNEXPECTED');
  });

  it('prints notices without --verbose, above the progress line', () => {
    const stderr = collectingStream({ isTTY: true, columns: 100 });
    const reporter = createHumanReporter(collectingStream(), stderr, { verbose: false, now: manualClock().now });
    reporter.progress({ stage: 'decode', done: 0, total: 1, framesPerSecond: 0, etaSeconds: null });
    reporter.notice('The portrait is 4000x3000; it is rendered at 1920x1440 (long side at most 1920).');
    expect(stderr.text()).toContain('\r\x1b[2KThe portrait is 4000x3000; it is rendered at 1920x1440 (long side at most 1920).\n');
  });

  it("shows the engine's warnings (a face box without a clear face) without --verbose, other log lines only with it", () => {
    expect(ENGINE_WARNING_PREFIX).toBe(WARNING_PREFIX);
    const stderr = collectingStream();
    const log = engineLog(createHumanReporter(collectingStream(), stderr, { verbose: false }));
    log('provider cpu');
    log('warning: no clear face in the face box 10,20,200,240 (face presence 0.12, faces score above 0.5)');
    expect(stderr.text()).toBe('Warning: no clear face in the face box 10,20,200,240 (face presence 0.12, faces score above 0.5)\n');
  });
});
