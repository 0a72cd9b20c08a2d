import { loadFarmConfig, runUntilSignal, startStitcherWorkers } from '@portrait-farm/farm';

// Process entry: configuration from PORTRAIT_FARM_* variables (see loadFarmConfig).
const log = (line: string): void => {
  process.stdout.write(`[stitcher ${process.pid}] ${line}\n`);
};
const config = loadFarmConfig(process.env);
const running = await startStitcherWorkers(config, { log });
log(`ready: prefix ${config.prefix}`);
runUntilSignal('stitcher', running, log);
