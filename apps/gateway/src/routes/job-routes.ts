import type { JobRecord } from '@portrait-farm/jobs';
import { jobStorageKeys } from '@portrait-farm/jobs';
import { jobEvent } from '@portrait-farm/logging';
import { isStorageError } from '@portrait-farm/storage';
import type { FastifyInstance } from 'fastify';
import { apiKeyIndex, enforceRate, refuseOverLimit, tenantOf } from '../auth.ts';
import type { GatewayContext } from '../context.ts';
import { createJob } from '../create-job.ts';
import type { CreateOutcome } from '../create-job.ts';
import { GatewayError, noSigningKey } from '../errors.ts';
import { cancelJob, deleteJob } from '../job-actions.ts';
import { jobStatusView, jobSummary } from '../job-view.ts';
import { livePlaylist } from '../live-playlist.ts';
import { startRetentionSweeps } from '../retention.ts';
import { RequestRateCounter } from '../request-rate.ts';
import {
  CANCEL_JOB_SCHEMA,
  CREATE_JOB_SCHEMA,
  DELETE_JOB_SCHEMA,
  GET_JOB_SCHEMA,
  JOB_MANIFEST_SCHEMA,
  JOB_RESULT_SCHEMA,
  LIST_JOBS_SCHEMA,
  LIVE_PLAYLIST_SCHEMA,
  VERIFY_VIDEO_SCHEMA,
} from '../route-schemas.ts';
import { verifyUpload } from '../verify-upload.ts';

declare module 'fastify' {
  interface FastifyRequest {
    tenantId: string;
  }
}

type IdParams = { Params: { id: string } };
type PageQuery = { Querystring: { limit?: number; cursor?: string } };

function resultNotReady(record: JobRecord): GatewayError {
  const why = record.status === 'canceled' ? 'it was canceled and has no result'
    : record.status === 'failed' ? `it failed (${record.error?.code ?? 'no code'}) and has no result`
    : 'its result exists once it has succeeded';
  return new GatewayError('GATEWAY_RESULT_NOT_READY', `Job ${record.id} is ${record.status}: ${why}.`);
}

/** The job's signed sidecar manifest, as stored (the bytes the stitcher wrote). */
async function storedManifest(ctx: GatewayContext, record: JobRecord): Promise<Buffer> {
  if (ctx.signingKey === null) {
    throw noSigningKey();
  }
  if (record.status !== 'succeeded') {
    throw new GatewayError('GATEWAY_MANIFEST_NOT_FOUND', `Job ${record.id} is ${record.status}: its signed manifest exists once it has succeeded.`);
  }
  try {
    return await ctx.storage.get(jobStorageKeys.manifest(record.id));
  } catch (error) {
    if (isStorageError(error) && error.code === 'STORAGE_NOT_FOUND') {
      throw new GatewayError('GATEWAY_MANIFEST_NOT_FOUND', `Job ${record.id} succeeded without a signed manifest: it was stitched while the farm had no signing key.`);
    }
    throw error;
  }
}

/** The authenticated /v1/jobs API (Bearer key -> tenant, per-tenant rate limit), and the retention sweeps of its jobs. */
export async function jobRoutes(app: FastifyInstance, ctx: GatewayContext): Promise<void> {
  const keys = apiKeyIndex(ctx.config.apiKeys);
  const { limits } = ctx.config;
  const stopSweeps = startRetentionSweeps(ctx, app.log);
  const requestRate = new RequestRateCounter(ctx.jobs, { onError: (error) => app.log.warn({ err: error }, 'request counts not sent to Redis; kept for the next try') });
  app.addHook('onClose', async () => {
    stopSweeps();
    await requestRate.close();
  });
  app.decorateRequest('tenantId', '');
  app.addHook('onRequest', async (request, reply) => {
    request.tenantId = tenantOf(request, keys);
    // Every line of the request from here on, "request completed" included, names the tenant.
    request.log = request.log.child({ tenant: request.tenantId });
    reply.log = request.log;
    refuseOverLimit(request.tenantId, 'requests', await requestRate.take(request.tenantId, limits.requestsPerMinute));
  });

  app.post('/v1/verify', { schema: VERIFY_VIDEO_SCHEMA }, async (request) => verifyUpload(ctx, request));

  app.post('/v1/jobs', { schema: CREATE_JOB_SCHEMA }, async (request, reply) => {
    const quota = await enforceRate(ctx, request.tenantId, 'create', limits.jobsPerMinute);
    // Only a job actually created uses the create quota: a refused create or an idempotent replay gives it back.
    let outcome: CreateOutcome | null = null;
    try {
      outcome = await createJob(ctx, request, request.tenantId);
    } finally {
      if (outcome === null || outcome.replayed) {
        await ctx.jobs.releaseRate(request.tenantId, 'create', quota).catch((error: unknown) => request.log.warn({ err: error }, 'giving back the create quota failed'));
      }
    }
    const { record, replayed, queuePosition } = outcome;
    // The request logger carries the tenant.
    if (replayed) request.log.info({ jobId: record.id }, 'job replayed (Idempotency-Key)');
    else request.log.info(jobEvent('job.created', { jobId: record.id }), 'job accepted');
    const summary = jobSummary(ctx, record);
    return reply
      .code(202)
      .header('location', summary.urls.self)
      .header('idempotent-replayed', String(replayed))
      .send({ id: summary.id, status: summary.status, queuePosition, urls: summary.urls });
  });

  app.get<PageQuery>('/v1/jobs', { schema: LIST_JOBS_SCHEMA }, async (request) => {
    const limit = request.query.limit ?? 20;
    const cursor = request.query.cursor === undefined || request.query.cursor === '' ? null : request.query.cursor;
    const page = await ctx.jobs.list(request.tenantId, { limit, cursor });
    const next = page.nextCursor === null ? null : `${ctx.config.publicBaseUrl}/v1/jobs?limit=${limit}&cursor=${page.nextCursor}`;
    return { jobs: page.jobs.map((record) => jobSummary(ctx, record)), nextCursor: page.nextCursor, next };
  });

  app.get<IdParams>('/v1/jobs/:id', { schema: GET_JOB_SCHEMA }, async (request) => jobStatusView(ctx, await ctx.jobs.get(request.tenantId, request.params.id)));

  app.post<IdParams>('/v1/jobs/:id/cancel', { schema: CANCEL_JOB_SCHEMA }, async (request) => {
    const { record } = await cancelJob(ctx, request.log, request.tenantId, request.params.id);
    return jobStatusView(ctx, record);
  });

  app.delete<IdParams>('/v1/jobs/:id', { schema: DELETE_JOB_SCHEMA }, async (request, reply) => {
    await deleteJob(ctx, request.log, request.tenantId, request.params.id);
    return reply.code(204).send();
  });

  app.get<IdParams>('/v1/jobs/:id/live.m3u8', { schema: LIVE_PLAYLIST_SCHEMA }, async (request, reply) => {
    const record = await ctx.jobs.get(request.tenantId, request.params.id);
    const playlist = await livePlaylist(ctx.storage, record, ctx.config.presignSeconds);
    return reply.header('content-type', 'application/vnd.apple.mpegurl').header('cache-control', 'no-cache').send(playlist);
  });

  app.get<IdParams>('/v1/jobs/:id/result', { schema: JOB_RESULT_SCHEMA }, async (request, reply) => {
    const record = await ctx.jobs.get(request.tenantId, request.params.id);
    if (record.status !== 'succeeded' || record.output === null) throw resultNotReady(record);
    const url = await ctx.storage.presignGet(record.output.key, { expiresSeconds: ctx.config.presignSeconds });
    return reply.redirect(url, 302);
  });

  app.get<IdParams>('/v1/jobs/:id/manifest', { schema: JOB_MANIFEST_SCHEMA }, async (request, reply) => {
    const manifest = await storedManifest(ctx, await ctx.jobs.get(request.tenantId, request.params.id));
    return reply.header('content-type', 'application/json; charset=utf-8').send(manifest);
  });
}
