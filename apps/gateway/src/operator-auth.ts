import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { apiKeyDigest, apiKeyIndex, bearerKey } from './auth.ts';
import type { GatewayContext } from './context.ts';
import type { GatewayErrorCode } from './errors.ts';
import { GatewayError } from './errors.ts';
import { hasOperatorSession } from './operator-cookie.ts';

/** The error codes an operator route may answer with because of its key (for its route schema). */
export const OPERATOR_AUTH_ERRORS: readonly GatewayErrorCode[] = ['GATEWAY_UNAUTHORIZED', 'GATEWAY_NOT_OPERATOR', 'GATEWAY_NO_OPERATOR_KEY', 'GATEWAY_CROSS_ORIGIN'];

const digest = (key: string): Buffer => createHash('sha256').update(key).digest();

/**
 * Whether `presented` is the operator key. Both are hashed first, so the comparison takes the same time whatever
 * the keys' lengths and wherever they differ.
 */
export function isOperatorKey(operatorKey: string, presented: string): boolean {
  return timingSafeEqual(digest(operatorKey), digest(presented));
}

/**
 * A preHandler for operator routes: the request must carry `Authorization: Bearer <operator key>`, or the ops
 * dashboard's session cookie (operator-cookie.ts; with an Origin of this gateway on a POST: GATEWAY_CROSS_ORIGIN).
 * No operator key configured: GATEWAY_NO_OPERATOR_KEY (404); no key sent, or a wrong one: GATEWAY_UNAUTHORIZED (401);
 * a tenant API key: GATEWAY_NOT_OPERATOR (403).
 */
export function requireOperator(ctx: GatewayContext): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  const tenantKeys = apiKeyIndex(ctx.config.apiKeys);
  return async (request) => {
    const operatorKey = ctx.config.operatorKey;
    if (operatorKey === null) {
      throw new GatewayError('GATEWAY_NO_OPERATOR_KEY', 'This farm has no operator key, so its operator routes are off. Set PORTRAIT_FARM_OPERATOR_KEY to turn them on.');
    }
    const presented = bearerKey(request);
    if (presented === null && hasOperatorSession(request, operatorKey)) return;
    if (presented === null) {
      throw new GatewayError('GATEWAY_UNAUTHORIZED', 'Authorization: Bearer <operator key> is required (the key in PORTRAIT_FARM_OPERATOR_KEY).', { 'www-authenticate': 'Bearer' });
    }
    if (isOperatorKey(operatorKey, presented)) return;
    if (tenantKeys.has(apiKeyDigest(presented))) {
      throw new GatewayError('GATEWAY_NOT_OPERATOR', 'This route needs the operator key (PORTRAIT_FARM_OPERATOR_KEY), not a tenant API key.');
    }
    throw new GatewayError('GATEWAY_UNAUTHORIZED', 'The operator key is not correct.', { 'www-authenticate': 'Bearer' });
  };
}
