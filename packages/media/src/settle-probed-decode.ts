import type { ToolProcess } from './run-tool.ts';

/** How ffmpeg exited, and what the probe found, once a decode settled. */
export interface SettledDecode<T> {
  probed: T;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * Waits for a decode that reads ffmpeg's output (`reading`) while the input is probed: first the probe, then ffmpeg's
 * exit and the reader. Where the probe refuses the input, ffmpeg is killed and both are awaited before the probe's
 * error is thrown on.
 */
export async function settleProbedDecode<T>(proc: ToolProcess, probe: Promise<T>, reading: Promise<unknown>): Promise<SettledDecode<T>> {
  let probed: T;
  try {
    probed = await probe;
  } catch (error) {
    proc.child.kill('SIGKILL');
    await proc.exited.catch(() => {});
    await reading.catch(() => {});
    throw error;
  }
  const { code, signal } = await proc.exited;
  await reading;
  return { probed, code, signal };
}
