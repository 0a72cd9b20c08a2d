import { createValidator, violationFromErrors, violationMessage } from '@portrait-farm/contracts';
import type { ErrorObject } from 'ajv/dist/2020.js';
import type { FastifySchemaCompiler } from 'fastify';
import { GatewayError } from './errors.ts';
import { consentMissing } from './job-request.ts';

/**
 * Fastify's request validation, with the project's validator: JSON Schema 2020-12, bodies taken as sent (no type
 * coercion: "5" is not 5), query strings and path parameters read from text. Multipart bodies are checked part by
 * part by the create route with the same schemas.
 */
export function requestValidator(shared: readonly object[]): FastifySchemaCompiler<object> {
  const strict = createValidator();
  const fromText = createValidator({ coerceTypes: true });
  for (const schema of shared) {
    strict.addSchema(schema);
    fromText.addSchema(schema);
  }
  return ({ schema, httpPart, contentType }: { schema: object; httpPart?: string; contentType?: string }) => {
    if (contentType === 'multipart/form-data') return () => true;
    return (httpPart === 'body' || httpPart === 'headers' ? strict : fromText).compile(schema);
  };
}

/** A path parameter no resource can have: the route's "not found" (a job id, a queue name, a file name). */
function paramNotFound(param: string | undefined, received: unknown): GatewayError {
  const value = JSON.stringify(received);
  if (param === 'id') return new GatewayError('GATEWAY_JOB_NOT_FOUND', `No job ${value} belongs to the caller (job ids look like job_ and 26 Crockford base32 characters).`);
  if (param === 'avatarId') return new GatewayError('GATEWAY_AVATAR_NOT_FOUND', `No avatar ${value} belongs to the caller (avatar ids look like av_ and 26 Crockford base32 characters).`);
  if (param === 'sessionId') return new GatewayError('GATEWAY_SESSION_NOT_FOUND', `No session ${value} belongs to the caller (session ids look like ses_ and 24 hex digits).`);
  if (param === 'name') return new GatewayError('GATEWAY_NOT_FOUND', `Nothing here is named ${value}.`);
  return new GatewayError('GATEWAY_NOT_FOUND', `The ${param ?? 'path'} ${value} names nothing here.`);
}

/** A failed request validation as the gateway's error, naming the value, what it accepts and what was received. */
export function validationFailure(errors: readonly ErrorObject[], part: string | undefined): GatewayError {
  const violation = violationFromErrors(errors);
  const missing = violation.received === undefined && violation.rule === undefined && violation.unknownProperty === undefined;
  if (part === 'body' && missing && violation.path.length === 1 && violation.path[0] === 'consent') return consentMissing();
  const name = (path: readonly string[]): string => (path.length === 0 ? (part === 'body' ? 'The body' : `The ${part ?? 'request'}`) : path.join('.'));
  const message = violationMessage(violation, name);
  if (part === 'params') return paramNotFound(violation.path[0], violation.received);
  if (part === 'headers') return new GatewayError('GATEWAY_BAD_REQUEST', message.replace(/^idempotency-key/, 'Idempotency-Key'));
  if (part === 'body' && (violation.path.length === 0 || (violation.path.length === 1 && violation.unknownProperty !== undefined))) {
    return new GatewayError('GATEWAY_BAD_REQUEST', message);
  }
  return new GatewayError('GATEWAY_BAD_OPTION', message);
}
