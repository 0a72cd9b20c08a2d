import { isJobsError } from '@portrait-farm/jobs';
import { isStorageError } from '@portrait-farm/storage';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayContext } from './context.ts';
import { GatewayError } from './errors.ts';
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

/** Any error as a GatewayError (unknown ones become GATEWAY_INTERNAL, or GATEWAY_UNAVAILABLE for Redis/storage outages). */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  if (isJobsError(error)) {
    if (error.code === 'JOBS_NOT_FOUND') return new GatewayError('GATEWAY_JOB_NOT_FOUND', error.message);
    if (error.code === 'JOBS_IDEMPOTENCY_CONFLICT') return new GatewayError('GATEWAY_IDEMPOTENCY_CONFLICT', error.message);
    if (error.code === 'JOBS_CONCURRENCY_LIMIT') return new GatewayError('GATEWAY_CONCURRENCY_LIMIT', error.message);
    if (error.code === 'JOBS_ALREADY_FINISHED') return new GatewayError('GATEWAY_JOB_FINISHED', error.message);
    return new GatewayError('GATEWAY_BAD_REQUEST', error.message);
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

export function errorHandler(ctx: GatewayContext) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const gatewayError = toGatewayError(error);
    if (gatewayError.status >= 500) request.log.error({ err: error }, 'request failed');
    ctx.metrics.rejections.inc({ code: gatewayError.code });
    return reply
      .code(gatewayError.status)
      .headers(gatewayError.headers)
      .send({ error: { code: gatewayError.code, message: gatewayError.message } });
  };
}
