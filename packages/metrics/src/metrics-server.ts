import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** Where {@link serveMetrics} listens. */
export interface MetricsServerOptions {
  /** Address to bind. */
  host: string;
  /** Port; 0 takes any free one (read it from {@link MetricsServer.port}). */
  port: number;
}

export interface MetricsServer {
  readonly port: number;
  /** `http://{host}:{port}/metrics` (an IPv6 host in brackets; 0.0.0.0 as given). */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` (the registry in Prometheus' text format) and nothing else: other paths answer 404, other
 * methods 405. For processes without an HTTP server of their own (worker, stitcher).
 */
export async function serveMetrics(registry: Registry, options: MetricsServerOptions): Promise<MetricsServer> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: only GET /metrics is served here.\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end(`Method ${request.method} not allowed: use GET.\n`);
      return;
    }
    registry.metrics().then(
      (body) => response.writeHead(200, { 'content-type': registry.contentType }).end(request.method === 'HEAD' ? undefined : body),
      (error: Error) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`Metrics could not be collected: ${error.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    port,
    url: `http://${host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
