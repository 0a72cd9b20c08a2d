import { describe, expect, it } from 'vitest';
import { coresOfCpuMax, coresPerWorker, usableCores } from './usable-cores.ts';

describe('coresOfCpuMax', () => {
  it('reads a quota over its period as whole cores', () => {
    expect(coresOfCpuMax('200000 100000\n')).toBe(2);
    expect(coresOfCpuMax('400000 100000')).toBe(4);
    expect(coresOfCpuMax('250000 100000\n')).toBe(2);
  });

  it('gives at least one core under a fractional quota', () => {
    expect(coresOfCpuMax('50000 100000\n')).toBe(1);
  });

  it('is null where the cgroup sets no limit or the text is not cpu.max', () => {
    expect(coresOfCpuMax('max 100000\n')).toBeNull();
    expect(coresOfCpuMax('')).toBeNull();
    expect(coresOfCpuMax('200000')).toBeNull();
    expect(coresOfCpuMax('0 100000')).toBeNull();
  });
});

describe('usableCores', () => {
  it('takes the container quota where it is below the CPUs the process may run on', () => {
    expect(usableCores({ readCpuMax: () => '200000 100000\n', availableParallelism: () => 16 })).toBe(2);
  });

  it('takes the CPUs where the quota is higher, absent or unlimited', () => {
    expect(usableCores({ readCpuMax: () => '3200000 100000\n', availableParallelism: () => 8 })).toBe(8);
    expect(usableCores({ readCpuMax: () => null, availableParallelism: () => 8 })).toBe(8);
    expect(usableCores({ readCpuMax: () => 'max 100000\n', availableParallelism: () => 8 })).toBe(8);
  });

  it('reads this machine without failing', () => {
    expect(usableCores()).toBeGreaterThanOrEqual(1);
  });
});

describe('coresPerWorker', () => {
  it('splits the cores evenly among the workers, whole cores, at least one each', () => {
    expect(coresPerWorker(16, 1)).toBe(16);
    expect(coresPerWorker(16, 4)).toBe(4);
    expect(coresPerWorker(16, 3)).toBe(5);
    expect(coresPerWorker(2, 2)).toBe(1);
    expect(coresPerWorker(2, 3)).toBe(1);
  });
});
