import { JobIndex, JobTimelines } from '@portrait-farm/jobs';
import type { JobRecord } from '@portrait-farm/jobs';
import { listOpsJobs, OpsFeed, opsJobRow, opsTimeline, readOpsOverview, retryJob, setQueuePaused, WorkerRegistry } from '@portrait-farm/ops';
import type { OpsJobsQuery } from '@portrait-farm/ops';
import { openGatewayRedis } from '../config.ts';
import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../context.ts';
import { GatewayError } from '../errors.ts';
import { openEventStream } from '../event-stream.ts';
import type { EventStream } from '../event-stream.ts';
import { cancelJob } from '../job-actions.ts';
import { requireOperator } from '../operator-auth.ts';
import {
  OPS_CANCEL_SCHEMA,
  OPS_EVENTS_SCHEMA,
  OPS_JOBS_SCHEMA,
  OPS_OVERVIEW_SCHEMA,
  OPS_PAUSE_QUEUE_SCHEMA,
  OPS_RESUME_QUEUE_SCHEMA,
  OPS_RETRY_SCHEMA,
  OPS_TIMELINE_SCHEMA,
} from '../route-schemas.ts';

type IdParams = { Params: { id: string } };
type NameParams = { Params: { name: string } };

/** The operator API under /v1/ops (the ops dashboard's data, actions and live events), behind the operator key. */
export async function operatorRoutes(app: FastifyInstance, ctx: GatewayContext): Promise<void> {
  const { redis, config } = ctx;
  const index = new JobIndex({ redis, prefix: config.prefix });
  const timelines = new JobTimelines({ redis, prefix: config.prefix });
  const registry = new WorkerRegistry({ redis, prefix: config.prefix });
  const overview = () => readOpsOverview({ queues: ctx.queues, registry, index });
  const anyJob = async (id: string): Promise<JobRecord> => {
    const record = await ctx.jobs.getById(id);
    if (record === null) throw new GatewayError('GATEWAY_JOB_NOT_FOUND', `Job ${id} not found.`);
    return record;
  };
  const feed = new OpsFeed({
    subscriber: () => {
      const subscriber = openGatewayRedis(config, 'worker', 'gateway-ops-feed');
      subscriber.on('error', () => {});
      return subscriber;
    },
    channel: ctx.jobs.keys.changesChannel(),
    overview,
    jobRow: async (id) => {
      const record = await ctx.jobs.getById(id);
      return record === null ? null : opsJobRow(record);
    },
    onError: (error) => app.log.warn({ err: error }, 'ops live feed: a read failed'),
  });
  // Jobs made before the status indexes existed join them once, in the background.
  index.indexExistingJobs().then(
    (added) => added > 0 && app.log.info({ added }, 'indexed existing jobs for the operator jobs list'),
    (error: unknown) => app.log.warn({ err: error }, 'indexing existing jobs for the operator jobs list failed'),
  );
  const streams = new Set<EventStream>();
  // Before the server waits for its connections to end: open event streams would hold the shutdown forever.
  app.addHook('preClose', async () => {
    for (const stream of streams) stream.end();
  });
  app.addHook('onClose', async () => feed.close());
  app.addHook('preHandler', requireOperator(ctx));

  app.get('/v1/ops/overview', { schema: OPS_OVERVIEW_SCHEMA }, overview);

  app.get<{ Querystring: OpsJobsQuery }>('/v1/ops/jobs', { schema: OPS_JOBS_SCHEMA }, async (request) => listOpsJobs(index, request.query));

  app.get<IdParams>('/v1/ops/jobs/:id/timeline', { schema: OPS_TIMELINE_SCHEMA }, async (request) => {
    const record = await anyJob(request.params.id);
    return opsTimeline(record, await timelines.read(record.id));
  });

  app.post<IdParams>('/v1/ops/jobs/:id/cancel', { schema: OPS_CANCEL_SCHEMA }, async (request, reply) => {
    const record = await anyJob(request.params.id);
    const canceled = await cancelJob(ctx, request.log, record.tenantId, record.id);
    return reply.code(202).send(opsJobRow(canceled.record));
  });

  app.post<IdParams>('/v1/ops/jobs/:id/retry', { schema: OPS_RETRY_SCHEMA }, async (request, reply) => {
    const created = await retryJob({ jobs: ctx.jobs, queues: ctx.queues, storage: ctx.storage }, request.params.id);
    request.log.info({ jobId: created.id, retryOf: request.params.id, tenant: created.tenantId }, 'job retried by the operator');
    return reply.code(202).send(opsJobRow(created));
  });

  app.post<NameParams>('/v1/ops/queues/:name/pause', { schema: OPS_PAUSE_QUEUE_SCHEMA }, async (request, reply) => {
    await setQueuePaused(ctx.queues, request.params.name, true);
    request.log.info({ queue: request.params.name }, 'queue paused by the operator');
    return reply.code(204).send();
  });

  app.post<NameParams>('/v1/ops/queues/:name/resume', { schema: OPS_RESUME_QUEUE_SCHEMA }, async (request, reply) => {
    await setQueuePaused(ctx.queues, request.params.name, false);
    request.log.info({ queue: request.params.name }, 'queue resumed by the operator');
    return reply.code(204).send();
  });

  app.get('/v1/ops/events', { schema: OPS_EVENTS_SCHEMA }, (request, reply) => {
    reply.hijack();
    let unsubscribe = (): void => {};
    const stream = openEventStream(reply.raw, {
      onEnd: () => {
        unsubscribe();
        streams.delete(stream);
        request.log.info({ streams: streams.size }, 'ops event stream closed');
      },
      onOverflow: (bufferedBytes) => request.log.warn({ bufferedBytes }, 'ops event stream dropped: its client reads too slowly (it reconnects)'),
    });
    streams.add(stream);
    unsubscribe = feed.subscribe((event) => stream.send(event.type, event.data));
    request.log.info({ streams: streams.size }, 'ops event stream opened');
  });
}
