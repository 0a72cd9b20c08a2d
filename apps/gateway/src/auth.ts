import { createHash } from 'node:crypto';
import type { RateDecision } from '@portrait-farm/jobs';
import type { FastifyRequest } from 'fastify';
import type { GatewayContext } from './context.ts';
import { GatewayError } from './errors.ts';

/** The key under which {@link apiKeyIndex} holds an API key: its SHA-256 in hex. */
export function apiKeyDigest(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** API keys are looked up by their SHA-256, so the raw keys are not kept in memory after start-up. */
export function apiKeyIndex(apiKeys: Readonly<Record<string, string>>): ReadonlyMap<string, string> {
  return new Map(Object.entries(apiKeys).map(([key, tenant]) => [apiKeyDigest(key), tenant]));
}

/** The key of `Authorization: Bearer <key>`, or null when the header is missing or has another form. */
export function bearerKey(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1] ?? null;
}

/** The tenant of the request's `Authorization: Bearer <key>`, or GATEWAY_UNAUTHORIZED. */
export function tenantOf(request: FastifyRequest, index: ReadonlyMap<string, string>): string {
  const key = bearerKey(request);
  if (key === null) {
    throw new GatewayError('GATEWAY_UNAUTHORIZED', 'Authorization: Bearer <API key> is required.', { 'www-authenticate': 'Bearer' });
  }
  const tenant = index.get(apiKeyDigest(key));
  if (tenant === undefined) throw new GatewayError('GATEWAY_UNAUTHORIZED', 'The API key is not known.', { 'www-authenticate': 'Bearer' });
  return tenant;
}

/**
 * Counts the request against the tenant's per-minute window for `scope`; GATEWAY_RATE_LIMITED past the limit. The
 * decision lets a caller give the count back (`jobs.releaseRate`) when the request turns out not to use the quota.
 */
export async function enforceRate(ctx: GatewayContext, tenantId: string, scope: 'requests' | 'create', limit: number): Promise<RateDecision> {
  return refuseOverLimit(tenantId, scope, await ctx.jobs.consumeRate(tenantId, scope, limit, 60));
}

/** GATEWAY_RATE_LIMITED (with Retry-After) when the decision is past the limit; else the decision. */
export function refuseOverLimit(tenantId: string, scope: 'requests' | 'create', decision: RateDecision): RateDecision {
  if (!decision.allowed) {
    const what = scope === 'create' ? 'job creations' : 'requests';
    throw new GatewayError(
      'GATEWAY_RATE_LIMITED',
      `Tenant ${tenantId} may make at most ${decision.limit} ${what} per minute. Received: ${decision.count}; retry in ${decision.resetSeconds} s.`,
      { 'retry-after': String(decision.resetSeconds) },
    );
  }
  return decision;
}
