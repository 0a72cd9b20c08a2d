import { isAvatarsError } from '@portrait-farm/avatars';
import { isJobsError } from '@portrait-farm/jobs';
import { isOpsError } from '@portrait-farm/ops';
import { isStorageError } from '@portrait-farm/storage';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayContext } from './context.ts';
import type { ErrorObject } from 'ajv/dist/2020.js';
import { GatewayError } from './errors.ts';
import { multipartProblem } from './multipart-errors.ts';
import { bodyUnread, clientGone, lingerAfterEarlyAnswer } from './transport-limits.ts';
import { validationFailure } from './request-validation.ts';
import type { GatewayErrorCode } from './errors.ts';

/** Fastify's own error codes, mapped to the catalogue. */
const FASTIFY_CODES: Readonly<Record<string, GatewayErrorCode>> = Object.freeze({
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'GATEWAY_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'GATEWAY_UPLOAD_TOO_LARGE',
  FST_REQ_FILE_TOO_LARGE: 'GATEWAY_UPLOAD_TOO_LARGE',
  FST_FILES_LIMIT: 'GATEWAY_UPLOAD_TOO_LARGE',
  FST_PARTS_LIMIT: 'GATEWAY_UPLOAD_TOO_LARGE',
  FST_FIELDS_LIMIT: 'GATEWAY_BAD_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'GATEWAY_BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'GATEWAY_BAD_REQUEST',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'GATEWAY_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_VALIDATION: 'GATEWAY_BAD_REQUEST',
});

/**
 * Any error as a GatewayError (unknown ones become GATEWAY_INTERNAL, or GATEWAY_UNAVAILABLE for Redis/storage outages);
 * the multipart parser's errors name the boundary of the request's `contentType`.
 */
export function toGatewayError(error: unknown, contentType?: string): GatewayError {
  const multipart = multipartProblem(error, contentType);
  if (multipart !== null) return multipart;
  if (error instanceof GatewayError) return error;
  if (isJobsError(error)) {
    if (error.code === 'JOBS_NOT_FOUND') return new GatewayError('GATEWAY_JOB_NOT_FOUND', error.message);
    if (error.code === 'JOBS_IDEMPOTENCY_CONFLICT') return new GatewayError('GATEWAY_IDEMPOTENCY_CONFLICT', error.message);
    if (error.code === 'JOBS_QUEUE_FULL') return new GatewayError('GATEWAY_QUEUE_FULL', error.message);
    if (error.code === 'JOBS_ALREADY_FINISHED') return new GatewayError('GATEWAY_JOB_FINISHED', error.message);
    return new GatewayError('GATEWAY_BAD_REQUEST', error.message);
  }
  if (isAvatarsError(error, 'AVATARS_NOT_FOUND')) return new GatewayError('GATEWAY_AVATAR_NOT_FOUND', error.message);
  if (isOpsError(error)) {
    if (error.code === 'OPS_QUEUE_NOT_FOUND') return new GatewayError('GATEWAY_QUEUE_NOT_FOUND', error.message);
    if (error.code === 'OPS_BAD_ARGUMENT') return new GatewayError('GATEWAY_BAD_REQUEST', error.message);
    return new GatewayError('GATEWAY_JOB_NOT_RETRYABLE', error.message);
  }
  if (isStorageError(error)) {
    if (error.code === 'STORAGE_NOT_FOUND') return new GatewayError('GATEWAY_NOT_FOUND', 'The file does not exist.');
    if (error.code === 'STORAGE_UNAVAILABLE') return new GatewayError('GATEWAY_UNAVAILABLE', 'Storage cannot be reached.');
  }
  const code = (error as Partial<FastifyError>).code;
  const mapped = code === undefined ? undefined : FASTIFY_CODES[code];
  if (mapped !== undefined) return new GatewayError(mapped, (error as Error).message);
  const message = error instanceof Error ? error.message : String(error);
  if (/ECONNREFUSED|Connection is closed|max retries per request|Command timed out|Stream isn't writeable/i.test(message)) {
    return new GatewayError('GATEWAY_UNAVAILABLE', 'Redis cannot be reached; try again shortly.');
  }
  return new GatewayError('GATEWAY_INTERNAL', 'An unexpected error happened; it has been logged.');
}

/**
 * Answers with the one error shape, `{ error: { code, message } }`. An answer given before the request's body was all
 * read closes the connection (Connection: close): the client learns it at once, and the rest of the body is dropped
 * unread until it has arrived or for at most LINGER_MS (lingerAfterEarlyAnswer).
 */
export function sendError(reply: FastifyReply, error: GatewayError): FastifyReply {
  if (bodyUnread(reply.request)) {
    reply.header('connection', 'close');
    lingerAfterEarlyAnswer(reply.request.raw);
  }
  return reply.code(error.status).headers(error.headers).send({ error: { code: error.code, message: error.message } });
}

/** The request's socket is gone (client closed, or a timeout already answered 408 and counted): log and count it apart. */
function clientLeft(ctx: GatewayContext, request: FastifyRequest, reply: FastifyReply, error: unknown, why: 'timeout' | 'closed'): FastifyReply {
  const code = why === 'timeout' ? 'GATEWAY_REQUEST_TIMEOUT' : 'GATEWAY_CLIENT_CLOSED';
  if (why === 'closed') ctx.metrics.rejections.inc({ code });
  request.log.info({ code, reason: (error as Error | null)?.message }, why === 'timeout' ? 'request timed out' : 'client closed the connection before the answer');
  return reply.code(new GatewayError(code, '').status).send({ error: { code, message: why === 'timeout' ? 'The request timed out.' : 'The client closed the connection.' } });
}

export function errorHandler(ctx: GatewayContext) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const gone = clientGone(request, error);
    if (gone !== null) return clientLeft(ctx, request, reply, error, gone);
    const validation = (error as { validation?: ErrorObject[]; validationContext?: string }).validation;
    const gatewayError =
      validation !== undefined
        ? validationFailure(validation, (error as { validationContext?: string }).validationContext)
        : toGatewayError(error, request.headers['content-type']);
    if (gatewayError.status >= 500) request.log.error({ err: error }, 'request failed');
    ctx.metrics.rejections.inc({ code: gatewayError.code });
    return sendError(reply, gatewayError);
  };
}

function patternOf(url: string): RegExp {
  const escaped = url.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:[^/]+/g, '[^/]+').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

/** 405 with Allow when the path has routes for other methods, else 404. */
export function routeNotFound(method: string, url: string, routes: ReadonlyArray<{ method: string; url: string }>): GatewayError {
  const path = url.split('?')[0] ?? url;
  const allowed = [...new Set(routes.filter((route) => patternOf(route.url).test(path)).map((route) => route.method))];
  if (allowed.length > 0 && !allowed.includes(method)) {
    if (allowed.includes('GET')) allowed.push('HEAD');
    return new GatewayError('GATEWAY_METHOD_NOT_ALLOWED', `${path} takes ${allowed.join(', ')}, not ${method}.`, { allow: allowed.join(', ') });
  }
  return new GatewayError('GATEWAY_NOT_FOUND', `No route ${method} ${path}.`);
}
