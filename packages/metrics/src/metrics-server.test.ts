import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { serveMetrics } from './metrics-server.ts';
import type { MetricsServer } from './metrics-server.ts';

let server: MetricsServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('serveMetrics', () => {
  it('serves GET /metrics on a free port in the text format; other paths 404, other methods 405', async () => {
    const registry = new Registry();
    new Counter({ name: 'portrait_farm_test_total', help: 'A test counter.', registers: [registry] }).inc(3);
    server = await serveMetrics(registry, { host: '127.0.0.1', port: 0 });
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
    const answer = await fetch(server.url);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('text/plain');
    expect(await answer.text()).toContain('portrait_farm_test_total 3');
    expect((await fetch(server.url.replace('/metrics', '/'))).status).toBe(404);
    const post = await fetch(server.url, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(await post.text()).toContain('Method POST not allowed');
  });

  it('fails to start on a port already in use, naming it', async () => {
    server = await serveMetrics(new Registry(), { host: '127.0.0.1', port: 0 });
    await expect(serveMetrics(new Registry(), { host: '127.0.0.1', port: server.port })).rejects.toThrow(String(server.port));
  });
});
