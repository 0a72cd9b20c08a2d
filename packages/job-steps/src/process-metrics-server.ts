import type { FarmLogger } from '@portrait-farm/logging';
import { serveMetrics } from '@portrait-farm/metrics';
import type { FarmMetrics } from '@portrait-farm/metrics';
import { JobStepError } from './errors.ts';
import type { FarmProcessConfig } from './farm-config.ts';

/** The worker's or stitcher's `GET /metrics` server, or nothing with PORTRAIT_FARM_METRICS=0. */
export interface ProcessMetricsServer {
  /** Where Prometheus scrapes it, or null when it is off. */
  readonly url: string | null;
  close(): Promise<void>;
}

/**
 * Serves the process's metrics on PORTRAIT_FARM_METRICS_HOST:PORT and logs "metrics listening" with `metricsUrl`
 * (the port it got when the port is 0). A port that cannot be bound stops the start with FARM_BAD_CONFIG naming it.
 */
export async function serveProcessMetrics(config: FarmProcessConfig, metrics: FarmMetrics, logger: FarmLogger): Promise<ProcessMetricsServer> {
  if (!config.metricsServer) return { url: null, close: async () => {} };
  try {
    const server = await serveMetrics(metrics.registry, { host: config.metricsHost, port: config.metricsPort });
    logger.info({ metricsUrl: server.url }, 'metrics listening');
    return { url: server.url, close: () => server.close() };
  } catch (error) {
    throw new JobStepError(
      'FARM_BAD_CONFIG',
      `GET /metrics cannot listen on ${config.metricsHost}:${config.metricsPort} (PORTRAIT_FARM_METRICS_HOST, PORTRAIT_FARM_METRICS_PORT): ${(error as Error).message}. Set another port (0: any free one) or PORTRAIT_FARM_METRICS=0.`,
    );
  }
}

/**
 * The worker's and the stitcher's start: its metrics served ({@link serveProcessMetrics}), then its work started by
 * `start`. Closing it closes the work, then the metrics server.
 */
export async function startWithProcessMetrics(
  config: FarmProcessConfig,
  metrics: FarmMetrics,
  logger: FarmLogger,
  start: () => Promise<{ close(): Promise<void> }>,
): Promise<{ close(): Promise<void> }> {
  const metricsServer = await serveProcessMetrics(config, metrics, logger);
  const running = await start();
  return { close: () => running.close().finally(() => metricsServer.close()) };
}
