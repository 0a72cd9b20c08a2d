import { describe, expect, it } from 'vitest';
import { workerCoresSetting } from './worker-cores.ts';

describe('workerCoresSetting', () => {
  it("gives each worker its whole-core share of the machine's cores, at least one", () => {
    expect(workerCoresSetting({}, 1, 16)).toBe('16');
    expect(workerCoresSetting({}, 4, 16)).toBe('4');
    expect(workerCoresSetting({}, 2, 2)).toBe('1');
    expect(workerCoresSetting({}, 3, 2)).toBe('1');
  });

  it("keeps the operator's PORTRAIT_FARM_WORKER_CORES; an empty value counts as unset", () => {
    expect(workerCoresSetting({ PORTRAIT_FARM_WORKER_CORES: '3' }, 4, 16)).toBe('3');
    expect(workerCoresSetting({ PORTRAIT_FARM_WORKER_CORES: '' }, 4, 16)).toBe('4');
  });

  it("measures this machine's cores by default", () => {
    expect(Number(workerCoresSetting({}, 1))).toBeGreaterThanOrEqual(1);
  });
});
