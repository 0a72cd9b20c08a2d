import { fileURLToPath } from 'node:url';
import { configOrExit } from '@portrait-farm/config';
import { loadFarmConfig } from '@portrait-farm/job-steps';
import { runUntilSignal } from '@portrait-farm/process-supervision';
import { startRenderWorkers } from './start-render-workers.ts';

// Process entry: configuration from PORTRAIT_FARM_* variables read once (docs/configuration.md), engine loaded once.
const log = (line: string): void => {
  process.stdout.write(`[worker ${process.pid}] ${line}\n`);
};
/** The pack this install ships, used when PORTRAIT_FARM_PACK is unset. */
const STARTER_PACK = fileURLToPath(new URL('../../../models/starter/', import.meta.url));
const config = configOrExit('worker', () => loadFarmConfig(process.env, { packDir: STARTER_PACK }));
const running = await startRenderWorkers(config, { log });
log(`ready: pack ${config.packDir}, prefix ${config.prefix}`);
runUntilSignal('worker', running, log);
