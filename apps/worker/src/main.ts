import { fileURLToPath } from 'node:url';
import { configOrExit } from '@portrait-farm/config';
import { loadFarmConfig, startWithProcessMetrics } from '@portrait-farm/job-steps';
import { createProcessLogger, lineLogger } from '@portrait-farm/logging';
import { createFarmMetrics } from '@portrait-farm/metrics';
import { runUntilSignal } from '@portrait-farm/process-supervision';
import { startRenderWorkers } from './start-render-workers.ts';

// Process entry: configuration from PORTRAIT_FARM_* variables read once (docs/configuration.md), engine loaded once;
// JSON log lines (pino) on stdout; Prometheus metrics on their own port (PORTRAIT_FARM_METRICS_PORT).
const logger = createProcessLogger('worker');
/** The pack this install ships, used when PORTRAIT_FARM_PACK is unset. */
const STARTER_PACK = fileURLToPath(new URL('../../../models/starter/', import.meta.url));
const config = configOrExit('worker', () => loadFarmConfig(process.env, { packDir: STARTER_PACK }));
const metrics = createFarmMetrics('worker');
// Signals are heard from here on: one that comes while the process starts stops it once it has started.
const starting = startWithProcessMetrics(config, metrics, logger, () => startRenderWorkers(config, { logger, metrics }));
runUntilSignal('worker', starting, lineLogger(logger));
await starting;
logger.info({ pack: config.packDir, prefix: config.prefix }, 'ready');
