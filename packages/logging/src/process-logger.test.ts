import { describe, expect, it } from 'vitest';
import type { FarmLogger } from './farm-logger.ts';
import { jobEvent } from './job-events.ts';
import { createProcessLogger } from './process-logger.ts';

function capture(): { lines: string[]; destination: { write(text: string): void } } {
  const lines: string[] = [];
  return { lines, destination: { write: (text) => void lines.push(text) } };
}

describe('createProcessLogger', () => {
  it('writes one JSON line per entry with the service, pid, time, fields and message; a pino logger is a FarmLogger', () => {
    const { lines, destination } = capture();
    const logger: FarmLogger = createProcessLogger('worker', { destination });
    logger.info(jobEvent('segment.rendered', { jobId: 'job_1', tenant: 'acme', segment: 1, segments: 3, segmentsDone: 2, frames: 50, durationMs: 900 }), 'segment rendered');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 30, service: 'worker', pid: process.pid, event: 'segment.rendered', jobId: 'job_1', tenant: 'acme', segment: 1, durationMs: 900, msg: 'segment rendered' });
    expect(Number.isNaN(Date.parse(String(entry['time'])))).toBe(false);
  });

  it('writes an error under err with its type, message, code and stack, and leaves out entries below the level', () => {
    const { lines, destination } = capture();
    const logger = createProcessLogger('stitcher', { destination, level: 'warn' });
    logger.info({}, 'not written');
    logger.warn({ err: Object.assign(new TypeError('boom'), { code: 'FARM_STEP_FAILED' }) }, 'step failed');
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!) as { level: number; err: Record<string, unknown> };
    expect(entry.level).toBe(40);
    expect(entry.err).toMatchObject({ type: 'TypeError', message: 'boom', code: 'FARM_STEP_FAILED' });
    expect(String(entry.err['stack'])).toContain('TypeError: boom');
  });
});
