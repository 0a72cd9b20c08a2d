import { jobEvent } from '@portrait-farm/logging/job-events';
import { describe, expect, it } from 'vitest';
import { byteSize, clockTime, exitLine, jobEventText, parseLogLine, terminalLineOf } from './job-event-line.ts';

const TIME = '2025-03-04T12:00:03.250Z';
const at = clockTime(new Date(TIME));
const JOB = 'job_01jn2x3k4m5n6p7q8r9s0t1v2w';

/** A JSON line as the farm's processes write it (pino, createProcessLogger). */
function line(level: number, fields: object, msg: string): string {
  return JSON.stringify({ level, time: TIME, service: 'worker', pid: 4242, hostname: 'box', ...fields, msg });
}

describe('the terminal lines of up and demo', () => {
  it('formats each job event as one readable line: time, job id, what happened', () => {
    const shown = [
      line(30, { ...jobEvent('job.created', { jobId: JOB }), tenant: 'local', reqId: 'req-1' }, 'job accepted'),
      line(30, jobEvent('job.prepared', { jobId: JOB, tenant: 'local', segments: 3, frames: 500, videoSeconds: 20, durationMs: 1234 }), 'job prepared'),
      line(30, jobEvent('segment.rendered', { jobId: JOB, tenant: 'local', segment: 1, segments: 3, segmentsDone: 2, frames: 200, durationMs: 912 }), 'segment rendered'),
      line(40, jobEvent('step.retried', { jobId: JOB, tenant: 'local', queue: 'segment', segment: 2, attempt: 1, attempts: 3, err: { type: 'StorageError', message: 'The bucket did not answer.' } }), 'segment step failed; retrying'),
      line(30, jobEvent('job.succeeded', { jobId: JOB, tenant: 'local', videoSeconds: 20.02, bytes: 1_412_345, durationMs: 800, jobMs: 6140 }), 'job succeeded'),
      line(50, jobEvent('job.failed', { jobId: JOB, tenant: 'local', code: 'MEDIA_NO_AUDIO', err: { code: 'MEDIA_NO_AUDIO', message: 'voice.wav has no audio stream.' } }), 'job failed'),
      line(30, { ...jobEvent('job.canceled', { jobId: JOB }), tenant: 'local' }, 'job canceled'),
    ].map((text) => terminalLineOf('worker-1', parseLogLine(text)!));
    expect(shown).toEqual([
      `${at}  ${JOB}  accepted (tenant local)`,
      `${at}  ${JOB}  prepared: 3 segments, 500 frames in 1.2 s`,
      `${at}  ${JOB}  segment 2/3 rendered in 0.9 s`,
      `${at}  ${JOB}  segment 3 failed (attempt 1 of 3), retrying: The bucket did not answer.`,
      `${at}  ${JOB}  succeeded: 20.0 s of video, 1.4 MB, in 6.1 s`,
      `${at}  ${JOB}  failed: MEDIA_NO_AUDIO: voice.wav has no audio stream.`,
      `${at}  ${JOB}  canceled`,
    ]);
  });

  it('leaves out request lines and other entries, shows errors a process logged, and reads no text as JSON', () => {
    const request = line(30, { reqId: 'req-7', tenant: 'local', res: { statusCode: 200 }, responseTime: 3.2 }, 'request completed');
    expect(terminalLineOf('gateway', parseLogLine(request)!)).toBeNull();
    expect(terminalLineOf('worker-1', parseLogLine(line(30, { jobId: JOB, queue: 'segment', attempt: 1, outcome: 'done', durationMs: 900 }, 'segment step done'))!)).toBeNull();
    expect(terminalLineOf('stitcher', parseLogLine(line(50, { queue: 'stitch', err: { type: 'Error', message: 'Connection is closed.' } }, 'queue worker error'))!)).toBe(
      `${at}  stitcher  error: queue worker error: Connection is closed.`,
    );
    expect(parseLogLine('    at processTicksAndRejections (node:internal/process/task_queues:95:5)')).toBeNull();
    expect(parseLogLine('{ not json')).toBeNull();
    expect(parseLogLine('12345:M 04 Mar 2025 12:00:03.250 * Ready to accept connections tcp')).toBeNull();
    expect(jobEventText({ event: 'job.unknown', jobId: JOB })).toBeNull();
  });

  it('reads what a line lacks as unknown rather than failing, and names sizes and singulars as a person would', () => {
    expect(jobEventText({ event: 'job.prepared', jobId: JOB, segments: 1, frames: 1 })).toBe('prepared: 1 segment, 1 frame in ? s');
    expect(jobEventText({ event: 'job.created', jobId: JOB })).toBe('accepted');
    expect([812, 96_400, 1_412_345].map(byteSize)).toEqual(['812 B', '96 kB', '1.4 MB']);
  });

  it('names a process that exited, its restart and its log file', () => {
    const now = new Date(TIME);
    expect(exitLine('worker-1', 'exited with code 1', 2000, '/data/logs/worker-1.log', now)).toBe(
      `${at}  worker-1  exited with code 1; restarting in 2.0 s (log: /data/logs/worker-1.log)`,
    );
    expect(exitLine('gateway', 'was ended by SIGKILL', null, '/data/logs/gateway.log', now)).toBe(`${at}  gateway  was ended by SIGKILL (log: /data/logs/gateway.log)`);
  });
});
