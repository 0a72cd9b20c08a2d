import { describe, expect, it } from 'vitest';
import { parseFarmFlags } from '../commands/up-command.ts';
import { describeWorkerScaling, resolveWorkerScaling } from './worker-scaling.ts';

describe('the local farm\'s worker bounds', () => {
  it('makes a fixed count min = max, and fills in what autoscaling leaves out', () => {
    expect(resolveWorkerScaling({})).toEqual({ min: 1, max: 1, scaleDownAfterMs: 60_000 });
    expect(resolveWorkerScaling({ workers: 3 })).toMatchObject({ min: 3, max: 3 });
    expect(resolveWorkerScaling({ workersMax: 4 })).toMatchObject({ min: 1, max: 4 });
    expect(resolveWorkerScaling({ workersMin: 0 })).toMatchObject({ min: 0, max: 1 });
    expect(resolveWorkerScaling({ workersMin: 2, workersMax: 5, scaleDownAfterMs: 500 })).toEqual({ min: 2, max: 5, scaleDownAfterMs: 500 });
    expect(describeWorkerScaling({ min: 1, max: 1 })).toBe('1 worker');
    expect(describeWorkerScaling({ min: 1, max: 4 })).toBe('1 to 4 workers, autoscaled');
  });

  it('refuses bounds that do not fit, naming the option and its flag', () => {
    expect(() => resolveWorkerScaling({ workers: 2, workersMax: 4 })).toThrow(/workers \(--workers\) is a fixed count: give it, or workersMin and workersMax/);
    expect(() => resolveWorkerScaling({ workersMin: 5, workersMax: 2 })).toThrow('workersMin (--workers-min) must not be above workersMax (--workers-max). Received: 5 > 2');
    expect(() => resolveWorkerScaling({ workersMax: 65 })).toThrow('workersMax (--workers-max) must be an integer between 1 and 64. Received: 65');
    expect(() => resolveWorkerScaling({ workers: 0 })).toThrow('workers (--workers) must be an integer between 1 and 64. Received: 0');
  });

  it('reads up\'s flags into the same bounds, and reports bad ones as usage errors', () => {
    expect(parseFarmFlags([], '/', 1, 8080)).toMatchObject({ workersMin: 1, workersMax: 1, scaleDownAfterMs: 60_000 });
    expect(parseFarmFlags(['--workers', '3'], '/', 1, 8080)).toMatchObject({ workersMin: 3, workersMax: 3 });
    expect(parseFarmFlags(['--workers-max', '4', '--scale-down-after', '20'], '/', 1, 8080)).toMatchObject({ workersMin: 1, workersMax: 4, scaleDownAfterMs: 20_000 });
    expect(() => parseFarmFlags(['--workers-min', '3', '--workers-max', '2'], '/', 1, 8080)).toThrow(/--workers-min\) must not be above/);
    expect(() => parseFarmFlags(['--workers', '2', '--workers-min', '1'], '/', 1, 8080)).toThrow(/not both/);
    expect(() => parseFarmFlags(['--workers-max', 'many'], '/', 1, 8080)).toThrow('--workers-max must be an integer between 1 and 64. Passed: many');
  });
});
