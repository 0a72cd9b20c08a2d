import { coresPerWorker, usableCores } from '@portrait-farm/process-supervision';

/**
 * PORTRAIT_FARM_WORKER_CORES for each worker of a local farm: the operator's value where the environment sets one,
 * else each worker's share of this machine's cores when `maxWorkers` run at once (the pool at its largest), so that
 * the workers together size their threads to the machine instead of each to all of it.
 */
export function workerCoresSetting(env: Readonly<Record<string, string | undefined>>, maxWorkers: number, machineCores: number = usableCores()): string {
  const own = env['PORTRAIT_FARM_WORKER_CORES'];
  if (own !== undefined && own.trim() !== '') return own;
  return String(coresPerWorker(machineCores, maxWorkers));
}
