import { fileURLToPath } from 'node:url';
import { configOrExit } from '@portrait-farm/config';
import { createProcessLogger } from '@portrait-farm/logging';
import { buildGateway } from './build-gateway.ts';
import { loadGatewayProcessConfig } from './config.ts';
import { isGatewayError } from './errors.ts';

// Process entry: configuration from the environment, read once (see config.ts and docs/configuration.md); JSON log
// lines (pino, service "gateway") on stdout.
const { config, port, host } = configOrExit(
  'gateway',
  () => loadGatewayProcessConfig(process.env),
  (error) => isGatewayError(error, 'GATEWAY_BAD_CONFIG'),
);
// The ops dashboard is the app beside this one (apps/dashboard): its pages and styles, and its compiled scripts.
const dashboardDirs = ['static', 'dist'].map((dir) => fileURLToPath(new URL(`../../dashboard/${dir}/`, import.meta.url)));
const demoDirs = ['static', 'dist'].map((dir) => fileURLToPath(new URL(`../../live-demo/${dir}/`, import.meta.url)));
const gateway = await buildGateway(config, { logger: createProcessLogger('gateway'), dashboardDirs, demoDirs });
await gateway.app.listen({ port, host });

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    gateway.app.log.info({ signal }, 'closing');
    gateway.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
