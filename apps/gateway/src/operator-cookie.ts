import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { GatewayError } from './errors.ts';

// The ops dashboard's login: an HttpOnly, SameSite=Strict cookie holding a session token signed with the operator key
// (never the key itself). EventSource cannot send an Authorization header, so the page authenticates with it.

export const OPERATOR_COOKIE = 'pf_operator_session';
/** How long a dashboard login lasts. */
export const OPERATOR_SESSION_SECONDS = 12 * 60 * 60;

function signatureOf(operatorKey: string, expiresAt: number): Buffer {
  return createHmac('sha256', operatorKey).update(`portrait-farm-dashboard:${expiresAt}`).digest();
}

/** A session token opened at `now`: its expiry (s since the epoch) and the HMAC of it under the operator key. */
export function operatorSessionToken(operatorKey: string, now = Date.now()): string {
  const expiresAt = Math.floor(now / 1000) + OPERATOR_SESSION_SECONDS;
  return `${expiresAt}.${signatureOf(operatorKey, expiresAt).toString('base64url')}`;
}

/** Whether `token` was signed with this operator key and has not expired. */
export function isOperatorSession(token: string, operatorKey: string, now = Date.now()): boolean {
  const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (match === null) return false;
  const expiresAt = Number(match[1]);
  if (expiresAt * 1000 <= now) return false;
  return timingSafeEqual(Buffer.from(match[2]!, 'base64url'), signatureOf(operatorKey, expiresAt));
}

/** The value of cookie `name` in a Cookie header, or null. */
export function cookieOf(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return null;
}

/** Secure when the farm is served over https (its public URL) or this request came over TLS. */
function secureFor(request: FastifyRequest, publicBaseUrl: string): boolean {
  return request.protocol === 'https' || publicBaseUrl.startsWith('https:');
}

/** The Set-Cookie header of a new dashboard session. */
export function sessionCookieHeader(request: FastifyRequest, operatorKey: string, publicBaseUrl: string): string {
  const secure = secureFor(request, publicBaseUrl) ? '; Secure' : '';
  return `${OPERATOR_COOKIE}=${operatorSessionToken(operatorKey)}; Path=/; Max-Age=${OPERATOR_SESSION_SECONDS}; HttpOnly; SameSite=Strict${secure}`;
}

/** The Set-Cookie header that ends the dashboard session. */
export function clearedSessionCookieHeader(request: FastifyRequest, publicBaseUrl: string): string {
  const secure = secureFor(request, publicBaseUrl) ? '; Secure' : '';
  return `${OPERATOR_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict${secure}`;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * GATEWAY_CROSS_ORIGIN unless a state-changing request comes from a page of this gateway: its Origin header names the
 * host the request was sent to. Beside SameSite=Strict, this keeps another site from acting with the operator's cookie.
 */
export function assertSameOrigin(request: FastifyRequest): void {
  if (SAFE_METHODS.has(request.method)) return;
  const origin = request.headers.origin;
  let originHost: string | null = null;
  try {
    originHost = typeof origin === 'string' ? new URL(origin).host : null;
  } catch {
    originHost = null;
  }
  if (originHost === null || originHost !== request.headers.host) {
    throw new GatewayError(
      'GATEWAY_CROSS_ORIGIN',
      `An operator action with the dashboard's cookie must come from the dashboard's own page (Origin ${request.headers.host ?? '(no Host)'}). Received Origin: ${typeof origin === 'string' ? origin : '(none)'}`,
    );
  }
}

/**
 * Whether the request carries a valid dashboard session cookie for this operator key. A state-changing request
 * authenticated so must also pass {@link assertSameOrigin} (GATEWAY_CROSS_ORIGIN otherwise).
 */
export function hasOperatorSession(request: FastifyRequest, operatorKey: string): boolean {
  const token = cookieOf(request.headers.cookie, OPERATOR_COOKIE);
  if (token === null || !isOperatorSession(token, operatorKey)) return false;
  assertSameOrigin(request);
  return true;
}
