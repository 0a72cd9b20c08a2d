import { fileURLToPath } from 'node:url';
import { configOrExit } from '@portrait-farm/config';
import { loadFarmConfig } from '@portrait-farm/job-steps';
import { createProcessLogger, lineLogger } from '@portrait-farm/logging';
import { runUntilSignal } from '@portrait-farm/process-supervision';
import { startRenderWorkers } from './start-render-workers.ts';

// Process entry: configuration from PORTRAIT_FARM_* variables read once (docs/configuration.md), engine loaded once;
// JSON log lines (pino) on stdout.
const logger = createProcessLogger('worker');
/** The pack this install ships, used when PORTRAIT_FARM_PACK is unset. */
const STARTER_PACK = fileURLToPath(new URL('../../../models/starter/', import.meta.url));
const config = configOrExit('worker', () => loadFarmConfig(process.env, { packDir: STARTER_PACK }));
const running = await startRenderWorkers(config, { logger });
logger.info({ pack: config.packDir, prefix: config.prefix }, 'ready');
runUntilSignal('worker', running, lineLogger(logger));
