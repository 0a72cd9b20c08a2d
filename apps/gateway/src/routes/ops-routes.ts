import { readFileSync } from 'node:fs';
import { readQueueDepths } from '@portrait-farm/queue';
import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../context.ts';

export const OPENAPI_PATH = new URL('../../openapi.json', import.meta.url);

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function probe(check: () => Promise<unknown>, ms: number, what: string): Promise<string> {
  try {
    await withTimeout(check(), ms, what);
    return 'ok';
  } catch (error) {
    return `failed: ${(error as Error).message}`;
  }
}

/** Health, readiness, metrics, queue depths and the OpenAPI document (no API key). */
export async function opsRoutes(app: FastifyInstance, ctx: GatewayContext): Promise<void> {
  const openapi = JSON.parse(readFileSync(OPENAPI_PATH, 'utf8')) as object;

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const [redis, storage] = await Promise.all([
      probe(() => ctx.redis.ping(), 1000, 'Redis'),
      probe(() => ctx.storage.check(), 3000, 'Storage'),
    ]);
    const ready = redis === 'ok' && storage === 'ok';
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks: { redis, storage } });
  });

  app.get('/metrics', async (_request, reply) => {
    const body = await ctx.metrics.registry.metrics();
    return reply.header('content-type', ctx.metrics.registry.contentType).send(body);
  });

  app.get('/queue-depth', async () => readQueueDepths(ctx.queues));

  app.get('/openapi.json', async () => openapi);
}
