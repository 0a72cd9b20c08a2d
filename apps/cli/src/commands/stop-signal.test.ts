import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { collectingStream } from '../test-streams.ts';
import type { CliIo } from './command.ts';
import { stopSignal } from './stop-signal.ts';

function testIo(interrupt?: AbortSignal): CliIo {
  return { stdout: collectingStream(), stderr: collectingStream(), cwd: '/', now: () => 0, ...(interrupt === undefined ? {} : { interrupt }) };
}

class FakeProcess extends EventEmitter {
  readonly exits: number[] = [];
  exit(code: number): void {
    this.exits.push(code);
  }
}

describe('stopSignal', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('is aborted by %s, and a second one exits at once with %i', (signal, code) => {
    const source = new FakeProcess();
    const stop = stopSignal(testIo(), source);
    expect(stop.signal.aborted).toBe(false);
    source.emit(signal);
    expect(stop.signal.aborted).toBe(true);
    expect((stop.signal.reason as Error).message).toBe(`Stopped by ${signal}`);
    expect(source.exits).toEqual([]);
    source.emit(signal);
    expect(source.exits).toEqual([code]);
    stop.dispose();
    expect(source.listenerCount(signal)).toBe(0);
  });

  it("is aborted by the user's Ctrl-C", () => {
    const interrupt = new AbortController();
    const stop = stopSignal(testIo(interrupt.signal), new FakeProcess());
    interrupt.abort();
    expect(stop.signal.aborted).toBe(true);
    stop.dispose();
  });
});
