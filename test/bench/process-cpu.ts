import { readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU seconds a process used so far (user + system, its threads included, plus the children it has waited for,
 * such as ffmpeg), from /proc/{pid}/stat; null when the process is gone.
 */
export function processCpuSeconds(pid: number): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Fields after the command name (which may hold spaces) start at the last ')'; utime is the 14th field overall.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]));
  return (utime! + stime! + cutime! + cstime!) / CLOCK_TICKS_PER_SECOND;
}

/** Pids of this process's direct children whose command line contains `text`. */
export function childPidsRunning(text: string): number[] {
  const children = readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  return children.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
    } catch {
      return false;
    }
  });
}

/**
 * Microseconds so far during which some runnable task of this machine waited for a CPU (/proc/pressure/cpu, "some
 * total"); null where the kernel does not report pressure.
 */
export function cpuPressureMicroseconds(): number | null {
  try {
    const total = /^some .*total=(\d+)$/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'))?.[1];
    return total === undefined ? null : Number(total);
  } catch {
    return null;
  }
}
