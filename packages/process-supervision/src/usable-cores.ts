import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** cgroup v2's CPU limit of this process's container: `<quota> <period>` in microseconds, or `max <period>` for none. */
export const CGROUP_CPU_MAX = '/sys/fs/cgroup/cpu.max';

/**
 * The whole cores a cgroup v2 `cpu.max` allows (quota / period, rounded down, at least 1), or null where it sets no
 * limit (`max`) or is not in that form.
 */
export function coresOfCpuMax(text: string): number | null {
  const match = /^\s*(max|\d+)\s+(\d+)\s*$/.exec(text);
  if (match === null || match[1] === 'max') return null;
  const quota = Number(match[1]);
  const period = Number(match[2]);
  if (quota <= 0 || period <= 0) return null;
  return Math.max(1, Math.floor(quota / period));
}

/** How {@link usableCores} reads the machine (tests give their own). */
export interface CoreSources {
  /** The text of cgroup v2's `cpu.max`, or null where there is none. @defaultValue the file at CGROUP_CPU_MAX */
  readCpuMax?: () => string | null;
  /** The cores the OS lets this process run on. @defaultValue os.availableParallelism */
  availableParallelism?: () => number;
}

/**
 * The cores this process may really use: the fewer of the CPUs it may run on and its container's CPU quota
 * (`os.availableParallelism()` does not see the quota).
 */
export function usableCores(sources: CoreSources = {}): number {
  const available = (sources.availableParallelism ?? availableParallelism)();
  const cpuMax = (sources.readCpuMax ?? readCgroupCpuMax)();
  const limited = cpuMax === null ? null : coresOfCpuMax(cpuMax);
  return limited === null ? available : Math.min(available, limited);
}

/** Each of `workers` processes' share of `cores`: the whole cores each gets, at least 1. */
export function coresPerWorker(cores: number, workers: number): number {
  return Math.max(1, Math.floor(cores / Math.max(1, workers)));
}

function readCgroupCpuMax(): string | null {
  try {
    return readFileSync(CGROUP_CPU_MAX, 'utf8');
  } catch {
    return null;
  }
}
