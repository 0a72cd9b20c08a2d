import { fileURLToPath } from 'node:url';
import { configOrExit } from '@portrait-farm/config';
import { loadFarmConfig, startWithProcessMetrics } from '@portrait-farm/job-steps';
import { createProcessLogger, lineLogger } from '@portrait-farm/logging';
import { createFarmMetrics } from '@portrait-farm/metrics';
import { runUntilSignal } from '@portrait-farm/process-supervision';
import { startStitcherWorkers } from './start-stitcher-workers.ts';

// Process entry: configuration from PORTRAIT_FARM_* variables read once (docs/configuration.md); JSON log lines (pino)
// on stdout; Prometheus metrics on their own port (PORTRAIT_FARM_METRICS_PORT).
const logger = createProcessLogger('stitcher');
// The stitcher loads no pack, but it shares the worker's settings type (FarmProcessConfig), which names one.
const STARTER_PACK = fileURLToPath(new URL('../../../models/starter/', import.meta.url));
const config = configOrExit('stitcher', () => loadFarmConfig(process.env, { packDir: STARTER_PACK }));
const metrics = createFarmMetrics('stitcher');
// Signals are heard from here on: one that comes while the process starts stops it once it has started.
const starting = startWithProcessMetrics(config, metrics, logger, () => startStitcherWorkers(config, { logger, metrics }));
runUntilSignal('stitcher', starting, lineLogger(logger));
await starting;
logger.info({ prefix: config.prefix }, 'ready');
