import { describe, expect, it } from 'vitest';
import { nextPoolState, processesFor } from './pool-size.ts';

const sizing = { min: 1, max: 4, workPerProcess: 2, shrinkAfterMs: 10_000 };

describe('pool sizing', () => {
  it('needs one process per workPerProcess units of work, within min and max', () => {
    expect([0, 1, 2, 3, 5, 8, 9, 100].map((work) => processesFor(sizing, work))).toEqual([1, 1, 1, 2, 3, 4, 4, 4]);
    expect(processesFor({ ...sizing, min: 0 }, 0)).toBe(0);
  });

  it('grows at once when work waits beyond what the running processes take', () => {
    expect(nextPoolState(sizing, { size: 1, surplusSince: null }, 7, 0)).toEqual({ size: 4, surplusSince: null });
    expect(nextPoolState(sizing, { size: 2, surplusSince: 500 }, 4, 1000)).toEqual({ size: 2, surplusSince: null });
  });

  it('shrinks only after fewer processes were enough for shrinkAfterMs without a break', () => {
    let state = nextPoolState(sizing, { size: 4, surplusSince: null }, 0, 1000);
    expect(state).toEqual({ size: 4, surplusSince: 1000 });
    state = nextPoolState(sizing, state, 1, 10_999);
    expect(state).toEqual({ size: 4, surplusSince: 1000 });
    expect(nextPoolState(sizing, state, 0, 11_000)).toEqual({ size: 1, surplusSince: null });
    // Work that comes back in between starts the wait again.
    const busy = nextPoolState(sizing, state, 8, 5000);
    expect(busy).toEqual({ size: 4, surplusSince: null });
    expect(nextPoolState(sizing, nextPoolState(sizing, busy, 0, 6000), 0, 15_999)).toEqual({ size: 4, surplusSince: 6000 });
  });

  it('shrinks to what the remaining work needs, not below it', () => {
    expect(nextPoolState(sizing, { size: 4, surplusSince: 0 }, 3, 10_000)).toEqual({ size: 2, surplusSince: null });
  });
});
