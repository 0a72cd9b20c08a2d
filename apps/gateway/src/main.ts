import { buildGateway } from './build-gateway.ts';
import { loadGatewayConfig } from './config.ts';

// Process entry: configuration from the environment (see config.ts), HOST/PORT for the listener.
const config = loadGatewayConfig(process.env, { logger: true });
const gateway = await buildGateway(config);
const port = Number(process.env['PORT'] ?? 8080);
const host = process.env['HOST'] ?? '0.0.0.0';
await gateway.app.listen({ port, host });

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    gateway.app.log.info(`${signal}: closing`);
    gateway.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
