import { loadFarmConfig, runUntilSignal, startRenderWorkers } from '@portrait-farm/farm';

// Process entry: configuration from PORTRAIT_FARM_* variables (see loadFarmConfig), engine loaded once.
const log = (line: string): void => {
  process.stdout.write(`[worker ${process.pid}] ${line}\n`);
};
const config = loadFarmConfig(process.env);
const running = await startRenderWorkers(config, { log });
log(`ready: pack ${config.packDir}, prefix ${config.prefix}`);
runUntilSignal('worker', running, log);
