import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | null = null;

/**
 * CPU seconds (user + system) the processes `pids` have used, with their children that have exited (ffmpeg), from
 * /proc (Linux); a process that is gone counts 0. NaN where /proc cannot be read.
 */
export function processCpuSeconds(pids: ReadonlyArray<number | null>): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  let ticks = 0;
  for (const pid of pids) {
    if (pid === null) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      if (process.platform !== 'linux') return NaN;
      continue;
    }
    // Fields after the command name in parentheses: state is field 3, utime, stime, cutime, cstime fields 14-17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  }
  return ticks / ticksPerSecond;
}
