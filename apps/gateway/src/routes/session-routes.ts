import { randomInt } from 'node:crypto';
import type { LiveLatencyMode, RenderControls } from '@portrait-farm/contracts';
import { isPlaced, streamPath, type NoRoom } from '@portrait-farm/sessions';
import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../context.ts';
import { GatewayError } from '../errors.ts';
import { createSessionSchema, DELETE_SESSION_SCHEMA, GET_SESSION_SCHEMA, GET_USAGE_SCHEMA } from '../session-schemas.ts';
import { SESSION_PROTOCOL } from '../session-components.ts';
import { sessionView } from '../session-view.ts';

type SessionParams = { Params: { sessionId: string } };
interface CreateSessionBody {
  avatar: string;
  inputSampleRate?: 16000 | 24000;
  latency?: LiveLatencyMode;
  mode?: 'crop' | 'full';
  seed?: number;
  controls?: RenderControls;
  idleTimeoutSeconds?: number;
  maxDurationSeconds?: number;
  livekit?: { url: string; token: string; agent_identity: string };
}

/** Seconds a client waits before trying again when no worker hosts sessions at all (a worker's heartbeat is 5 s). */
const NO_HOSTS_RETRY_SECONDS = 5;

/** The refusal of a placement: the tenant's limit (429) or no free slot (503), with Retry-After. */
function noRoomError(refused: NoRoom, tenantLimit: number): GatewayError {
  const retryAfter = refused.reason === 'no_hosts' ? NO_HOSTS_RETRY_SECONDS : Math.max(1, Math.ceil(refused.freeInMs / 1000));
  const headers = { 'retry-after': String(retryAfter) };
  if (refused.reason === 'tenant_limit') {
    const message = `The caller already has ${tenantLimit} realtime sessions waiting or streaming, the most PORTRAIT_FARM_SESSIONS_PER_TENANT allows; the soonest can end in ${retryAfter} s (end one with DELETE /v1/sessions/{id}).`;
    return new GatewayError('GATEWAY_SESSION_LIMIT', message, headers);
  }
  const message =
    refused.reason === 'no_hosts'
      ? 'No worker hosts realtime sessions now (none runs with PORTRAIT_FARM_SESSIONS_PER_WORKER above 0, or they are starting).'
      : `Every worker's session slots are taken; the soonest can free up in ${retryAfter} s.`;
  return new GatewayError('GATEWAY_NO_SESSION_CAPACITY', message, headers);
}

/** The gateway's own address for WebSockets: its public URL with ws:// for http://, wss:// for https://. */
const webSocketBase = (publicBaseUrl: string): string => publicBaseUrl.replace(/^http/, 'ws');

/**
 * The /v1/sessions API and GET /v1/usage. Registered in the scope of jobRoutes, whose hooks authenticate and
 * rate-limit; every session is the tenant's own (another tenant's id is GATEWAY_SESSION_NOT_FOUND).
 */
export async function sessionRoutes(app: FastifyInstance, ctx: GatewayContext): Promise<void> {
  const limits = ctx.config.sessions;
  const notFound = (id: string): GatewayError => new GatewayError('GATEWAY_SESSION_NOT_FOUND', `No session ${JSON.stringify(id)} belongs to the caller.`);

  app.post<{ Body: CreateSessionBody }>('/v1/sessions', { schema: createSessionSchema(limits) }, async (request, reply) => {
    const body = request.body;
    // The schema bounds both by PORTRAIT_FARM_SESSION_MAX_SECONDS; an idle timeout past the maximum length never fires.
    const maxDurationSeconds = body.maxDurationSeconds ?? limits.maxSeconds;
    const idleTimeoutSeconds = body.idleTimeoutSeconds ?? limits.idleSeconds;
    // The avatar must be the caller's (GATEWAY_AVATAR_NOT_FOUND otherwise).
    await ctx.avatars.get(request.tenantId, body.avatar);
    const options = {
      avatarId: body.avatar,
      mode: body.mode ?? 'crop',
      inputSampleRate: body.inputSampleRate ?? 16000,
      latency: body.latency ?? 'quality',
      controls: body.controls ?? {},
      seed: body.seed ?? randomInt(2 ** 31 - 1),
      idleTimeoutSeconds,
      maxDurationSeconds,
      ...(body.livekit === undefined ? {} : { livekit: { url: body.livekit.url, token: body.livekit.token, agentIdentity: body.livekit.agent_identity } }),
    } as const;
    const placed = await ctx.sessions.place(request.tenantId, options, limits.connectSeconds * 1000, limits.perTenant);
    if (!isPlaced(placed)) throw noRoomError(placed, limits.perTenant);
    const { record, token } = placed;
    request.log.info({ sessionId: record.id, hostId: record.hostId, livekit: record.livekit != null }, 'session placed');
    // Nobody connects to a LiveKit session's stream: its worker claims it and joins the room.
    if (record.livekit != null) await ctx.sessions.announceLiveKit(placed);
    const view = sessionView(ctx.config.publicBaseUrl, record);
    // Through the gateway (session-stream.ts), which forwards to the worker's internal address.
    const url = `${webSocketBase(ctx.config.publicBaseUrl)}${streamPath(record.id, token)}`;
    return reply.code(201).header('location', view.urls.self).send({ ...view, stream: { url, protocol: SESSION_PROTOCOL } });
  });

  app.get<SessionParams>('/v1/sessions/:sessionId', { schema: GET_SESSION_SCHEMA }, async (request) => {
    const record = await ctx.sessions.get(request.tenantId, request.params.sessionId);
    if (record === null) throw notFound(request.params.sessionId);
    return sessionView(ctx.config.publicBaseUrl, record);
  });

  app.delete<SessionParams>('/v1/sessions/:sessionId', { schema: DELETE_SESSION_SCHEMA }, async (request) => {
    const { sessionId } = request.params;
    const result = await ctx.sessions.requestEnd(request.tenantId, sessionId);
    if (result === 'not_found') throw notFound(sessionId);
    request.log.info({ sessionId, result }, 'session end asked');
    const record = await ctx.sessions.get(request.tenantId, sessionId);
    if (record === null) throw notFound(sessionId);
    return sessionView(ctx.config.publicBaseUrl, record);
  });

  app.get('/v1/usage', { schema: GET_USAGE_SCHEMA }, async (request) => ({ sessions: { secondsStreamed: await ctx.sessions.usageSeconds(request.tenantId) } }));
}
