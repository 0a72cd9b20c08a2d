import { errorCodes } from 'fastify';
import type { FastifyRequest } from 'fastify';
import { GatewayError } from './errors.ts';

// The JSON body parser: Fastify's own (secure-json-parse) refuses a body with a __proto__ or constructor.prototype
// key but reports it as "Body is not valid JSON", which it is. This one refuses the same keys and says so.

/** Where `value` holds a key that could change prototypes when merged (`options.__proto__`), or null. */
export function prototypeKey(value: unknown, path = ''): string | null {
  if (typeof value !== 'object' || value === null) return null;
  for (const [key, child] of Object.entries(value)) {
    const at = path === '' ? key : `${path}.${key}`;
    if (key === '__proto__') return at;
    if (key === 'constructor' && typeof child === 'object' && child !== null && Object.hasOwn(child, 'prototype')) return `${at}.prototype`;
    const inner = prototypeKey(child, at);
    if (inner !== null) return inner;
  }
  return null;
}

/** application/json bodies: empty and malformed ones get Fastify's errors; prototype keys a message of their own. */
export function parseJsonBody(_request: FastifyRequest, body: string, done: (error: Error | null, value?: unknown) => void): void {
  if (body.length === 0) return done(new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY());
  let value: unknown;
  try {
    value = JSON.parse(body.charCodeAt(0) === 0xfeff ? body.slice(1) : body);
  } catch {
    return done(new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY());
  }
  const key = prototypeKey(value);
  if (key !== null) {
    const name = key.endsWith('.prototype') ? 'constructor.prototype' : '__proto__';
    return done(new GatewayError('GATEWAY_BAD_REQUEST', `The JSON body has a ${name} key (at ${key}), which the gateway refuses: remove it.`));
  }
  done(null, value);
}
