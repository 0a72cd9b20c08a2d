import fastifyMultipart from '@fastify/multipart';
import fastifySwagger from '@fastify/swagger';
import { AvatarStore } from '@portrait-farm/avatars';
import { SessionStore } from '@portrait-farm/sessions';
import { JobStore } from '@portrait-farm/jobs';
import { createWebhookWorker, FarmQueues, startHeldJobDispatcher } from '@portrait-farm/queue';
import { recordStorageError, recordWebhookOutcome } from '@portrait-farm/metrics';
import { createStorage, FilesystemStorage, observeStorageErrors } from '@portrait-farm/storage';
import type { ObjectStorage } from '@portrait-farm/storage';
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { openGatewayRedis, resolveGatewayConfig } from './config.ts';
import type { GatewayConfig, ResolvedGatewayConfig } from './config.ts';
import type { GatewayContext } from './context.ts';
import { SHARED_SCHEMAS } from './api-schemas.ts';
import { errorHandler, routeNotFound, sendError } from './error-handler.ts';
import { openInputChecker } from './input-check-thread.ts';
import type { InputChecker } from './input-check-thread.ts';
import { parseJsonBody } from './json-body.ts';
import { openApiOptions } from './openapi.ts';
import { requestValidator } from './request-validation.ts';
import { GatewayError } from './errors.ts';
import { jobView } from './job-view.ts';
import { createMetrics } from './metrics.ts';
import { MULTIPART_LIMITS } from './multipart-errors.ts';
import { clientErrorHandler, serverTimeoutOptions, watchIdleRequests } from './transport-limits.ts';
import { fileRoutes } from './routes/file-routes.ts';
import { avatarRoutes } from './routes/avatar-routes.ts';
import { sessionRoutes } from './routes/session-routes.ts';
import { jobRoutes } from './routes/job-routes.ts';
import { loadSigningKey } from '@portrait-farm/provenance';
import type { SigningKey } from '@portrait-farm/provenance';
import { operatorRoutes } from './routes/operator-routes.ts';
import { opsRoutes } from './routes/ops-routes.ts';
import { dashboardRoutes } from './routes/dashboard-routes.ts';
import { demoRoutes } from './routes/demo-routes.ts';
import { loadDashboardAssets } from './dashboard-assets.ts';
import { serveSessionStreams, sessionStreamRoute } from './session-stream.ts';

export interface Gateway {
  app: FastifyInstance;
  context: GatewayContext;
  /** Every route registered (method and URL pattern, HEAD excluded), e.g. for checking the OpenAPI document. */
  routes: ReadonlyArray<{ method: string; url: string }>;
  /** Closes the HTTP server (if listening), the queues, Redis and storage. */
  close(): Promise<void>;
}

function openStorage(config: ResolvedGatewayConfig): ObjectStorage {
  const storage = createStorage(config.storageUrl, {
    ...(config.presignSecret === null ? {} : { presignSecret: config.presignSecret }),
    presignBaseUrl: config.publicBaseUrl,
    ...(config.s3Ca === null ? {} : { s3TlsCaFile: config.s3Ca }),
  });
  if (storage.driver === 'filesystem' && config.presignSecret === null) {
    throw new GatewayError('GATEWAY_BAD_CONFIG', 'presignSecret is required with filesystem storage (it signs result and chunk URLs).');
  }
  return storage;
}

/** The webhook delivery worker, when the configuration asks for it in this process. */
function startWebhookWorker(context: GatewayContext): { close(): Promise<void> } | null {
  const { config } = context;
  if (!config.webhooks.runWorker) return null;
  const connection = openGatewayRedis(config, 'worker', 'gateway-webhooks');
  connection.on('error', () => {});
  const worker = createWebhookWorker({
    connection,
    queues: context.queues,
    jobs: context.jobs,
    secretFor: (tenantId) => config.webhookSecrets[tenantId] ?? null,
    allowLoopback: config.webhooks.allowLoopback,
    allowPrivate: config.webhooks.allowPrivate,
    allowedHosts: config.webhooks.allowHosts,
    concurrency: config.webhooks.concurrency,
    ...(config.webhooks.retryScheduleMs === null ? {} : { retry: { scheduleMs: config.webhooks.retryScheduleMs } }),
    eventData: (record) => jobView(context, record),
    onOutcome: (outcome) => recordWebhookOutcome(context.metrics.farm.webhooks, outcome),
  });
  return {
    async close() {
      await worker.close();
      connection.disconnect();
    },
  };
}

/** Options of {@link buildGateway}: what the process chooses, beside its configuration. */
export interface BuildGatewayOptions {
  /**
   * The logger of Fastify and the routes (main.ts: the process's pino logger, `@portrait-farm/logging`): request
   * lines, with the tenant once authenticated, and the job.created and job.canceled events.
   * @defaultValue Fastify's own pino logger when the configuration's `logger` is true, else none
   */
  logger?: FastifyBaseLogger;
  /**
   * The input-check thread, shared by several gateways (tests); the gateway does not close it. It must have face
   * models while the configuration's faceCheck is on.
   * @defaultValue one started with the configuration's packDir (or none when faceCheck is off), closed with the gateway
   */
  inputChecker?: InputChecker;
  /**
   * Folders of the ops dashboard's files, served under /dashboard (main.ts: apps/dashboard's static/ and its
   * compiled dist/); an earlier folder's file wins. Read once at start-up.
   * @defaultValue none: /dashboard answers GATEWAY_UNAVAILABLE (503), saying the dashboard's files are missing
   */
  dashboardDirs?: readonly string[];
  /**
   * Folders of the realtime demo page's files, served under /demo (main.ts: apps/live-demo's static/ and dist/).
   * @defaultValue none: /demo answers GATEWAY_UNAVAILABLE (503), saying the page's files are missing
   */
  demoDirs?: readonly string[];
}

function openSigningKey(pemOrPath: string | null): SigningKey | null {
  if (pemOrPath === null) return null;
  try {
    return loadSigningKey(pemOrPath);
  } catch (error) {
    throw new GatewayError('GATEWAY_BAD_CONFIG', `signingKey (PORTRAIT_FARM_SIGNING_KEY) cannot be read: ${(error as Error).message}`);
  }
}

/**
 * Builds the gateway: checks and freezes the configuration, opens Redis, the queues and storage, and
 * registers the routes. Tests drive it with `app.inject()`; main.ts calls `app.listen()`.
 */
export async function buildGateway(input: GatewayConfig | ResolvedGatewayConfig, options: BuildGatewayOptions = {}): Promise<Gateway> {
  const config = Object.isFrozen(input) ? (input as ResolvedGatewayConfig) : resolveGatewayConfig(input as GatewayConfig);
  const backing = openStorage(config);
  const redis = openGatewayRedis(config, 'client', 'gateway');
  redis.on('error', () => {}); // reported through /readyz and request errors; ioredis reconnects by itself
  const jobs = new JobStore({ redis, prefix: config.prefix, idempotencyTtlSeconds: config.idempotencyTtlSeconds });
  const queues = new FarmQueues({ connection: redis, prefix: config.prefix });
  const metrics = createMetrics(queues);
  const storage = observeStorageErrors(backing, (operation, code) => recordStorageError(metrics.farm.storage, operation, code));
  const ownChecks = options.inputChecker === undefined ? await openInputChecker(config.faceCheck ? config.packDir : null) : null;
  const inputChecks = options.inputChecker ?? (ownChecks as InputChecker);
  const fileStorage = backing instanceof FilesystemStorage ? backing : null;
  const context: GatewayContext = { config, redis, jobs, avatars: new AvatarStore(storage), sessions: new SessionStore(redis, config.prefix), queues, storage, fileStorage, metrics, inputChecks, signingKey: openSigningKey(config.signingKey) };

  const app = Fastify({
    ...(options.logger === undefined ? { logger: config.logger } : { loggerInstance: options.logger }),
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    ...serverTimeoutOptions(config.timeouts),
    clientErrorHandler: clientErrorHandler(metrics, config.timeouts),
    frameworkErrors: (error, _request, reply) => sendError(reply, new GatewayError('GATEWAY_BAD_REQUEST', `The request URL cannot be read: ${error.message}`)),
  });
  watchIdleRequests(app.server, metrics, config.timeouts);
  const sessionStreams = serveSessionStreams(app.server, { sessions: context.sessions, log: app.log });
  const routes: Array<{ method: string; url: string }> = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url });
  });
  app.setValidatorCompiler(requestValidator(SHARED_SCHEMAS));
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  app.setErrorHandler(errorHandler(context));
  app.setNotFoundHandler((request, reply) => sendError(reply, routeNotFound(request.method, request.url, routes)));
  // Before the body is read: a method no route takes (QUERY, PROPFIND) must not reach the body parsers.
  app.addHook('onRequest', async (request, reply) => {
    if (request.is404) return sendError(reply, routeNotFound(request.method, request.url, routes));
  });
  await app.register(fastifySwagger, openApiOptions());
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parseJsonBody);
  await app.register(fastifyMultipart, { limits: { fileSize: config.limits.maxUploadBytes, ...MULTIPART_LIMITS } });
  await app.register(async (scope) => {
    await jobRoutes(scope, context);
    // In the jobs' scope: its hooks authenticate and rate-limit the avatars' requests too.
    await avatarRoutes(scope, context);
    await sessionRoutes(scope, context);
  });
  // Outside the jobs' scope: the stream's token is its credential, not an API key.
  await app.register(async (scope) => sessionStreamRoute(scope));
  await app.register(async (scope) => fileRoutes(scope, context));
  await app.register(async (scope) => opsRoutes(scope, context));
  await app.register(async (scope) => operatorRoutes(scope, context));
  const dashboardAssets = loadDashboardAssets(options.dashboardDirs ?? []);
  await app.register(async (scope) => dashboardRoutes(scope, context, dashboardAssets));
  const demoAssets = loadDashboardAssets(options.demoDirs ?? []);
  await app.register(async (scope) => demoRoutes(scope, demoAssets));

  const webhookWorker = startWebhookWorker(context);
  // Every gateway queues the prepare steps of jobs released from a tenant's hold; each release is claimed by one.
  const heldJobDispatcher = startHeldJobDispatcher({
    jobs,
    queues,
    subscriber: () => openGatewayRedis(config, 'worker', 'gateway-releases'),
    onError: (error) => app.log.warn({ err: error }, 'queuing released jobs failed; retried on the next release or poll'),
  });

  let closed = false;
  return {
    app,
    context,
    routes,
    async close() {
      if (closed) return;
      closed = true;
      sessionStreams.closeAll();
      await app.close();
      await heldJobDispatcher.stop();
      await webhookWorker?.close();
      await queues.close().catch(() => {});
      redis.disconnect();
      await storage.close();
      await ownChecks?.close();
    },
  };
}
