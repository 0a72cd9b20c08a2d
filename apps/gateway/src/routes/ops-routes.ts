import { readQueueDepths, redisConnectionFailure } from '@portrait-farm/queue';
import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../context.ts';
import { noSigningKey } from '../errors.ts';
import { requireOperator } from '../operator-auth.ts';
import { HEALTH_SCHEMA, METRICS_SCHEMA, OPENAPI_SCHEMA, QUEUE_DEPTH_SCHEMA, READY_SCHEMA, SIGNING_KEY_SCHEMA } from '../route-schemas.ts';

/** The header of /healthz and /readyz that names the process answering (its pid). */
export const PID_HEADER = 'x-portrait-farm-pid';

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

/** Health, readiness, metrics, the provenance public key and the OpenAPI document (no API key); queue depths (operator key). */
export async function opsRoutes(app: FastifyInstance, ctx: GatewayContext): Promise<void> {
  // Which process answers: `portrait-farm up` checks it is its own gateway, not one left on the port by another farm.
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.url === '/healthz' || request.routeOptions.url === '/readyz') reply.header(PID_HEADER, String(process.pid));
  });

  app.get('/healthz', { schema: HEALTH_SCHEMA }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: READY_SCHEMA }, async (_request, reply) => {
    const [redis, storage] = await Promise.all([
      // A connection ended by a TLS failure says only "Connection is closed"; the failure names TLS and the endpoint.
      probe(() => ctx.redis.ping().catch((error: unknown) => Promise.reject(redisConnectionFailure(ctx.redis) ?? error)), 1000, 'Redis'),
      probe(() => ctx.storage.check(), 3000, 'Storage'),
    ]);
    const ready = redis === 'ok' && storage === 'ok';
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks: { redis, storage } });
  });

  app.get('/metrics', { schema: METRICS_SCHEMA }, async (_request, reply) => {
    const body = await ctx.metrics.registry.metrics();
    return reply.header('content-type', ctx.metrics.registry.contentType).send(body);
  });

  app.get('/v1/queue/depth', { schema: QUEUE_DEPTH_SCHEMA, preHandler: requireOperator(ctx) }, async () => readQueueDepths(ctx.queues));

  app.get('/v1/signing-key', { schema: SIGNING_KEY_SCHEMA }, async () => {
    const key = ctx.signingKey;
    if (key === null) throw noSigningKey();
    return { algorithm: 'Ed25519' as const, keyId: key.keyId, publicKeyPem: key.publicKeyPem };
  });

  app.get('/openapi.json', { schema: OPENAPI_SCHEMA }, async () => app.swagger());
}
