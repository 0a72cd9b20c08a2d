import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { GatewayError } from './errors.ts';
import { cookieOf, hasOperatorSession, isOperatorSession, OPERATOR_COOKIE, OPERATOR_SESSION_SECONDS, operatorSessionToken } from './operator-cookie.ts';

const KEY = 'operator-key-0123456789';

describe('the dashboard session token', () => {
  it('opens a session for the key that signed it until it expires', () => {
    const now = Date.UTC(2026, 0, 1);
    const token = operatorSessionToken(KEY, now);
    expect(token).not.toContain(KEY);
    expect(isOperatorSession(token, KEY, now + 1000)).toBe(true);
    expect(isOperatorSession(token, 'another-operator-key-0000', now)).toBe(false);
    expect(isOperatorSession(token, KEY, now + OPERATOR_SESSION_SECONDS * 1000)).toBe(false);
  });

  it('refuses forged and malformed tokens', () => {
    const [expiry, signature] = operatorSessionToken(KEY).split('.') as [string, string];
    expect(isOperatorSession(`${Number(expiry) + 3600}.${signature}`, KEY)).toBe(false);
    expect(isOperatorSession(`${expiry}.${'A'.repeat(43)}`, KEY)).toBe(false);
    expect(isOperatorSession(KEY, KEY)).toBe(false);
    expect(isOperatorSession('', KEY)).toBe(false);
  });

  it('is read from a Cookie header among others', () => {
    expect(cookieOf(`a=1; ${OPERATOR_COOKIE}=x.y; b=2`, OPERATOR_COOKIE)).toBe('x.y');
    expect(cookieOf('a=1', OPERATOR_COOKIE)).toBeNull();
    expect(cookieOf(undefined, OPERATOR_COOKIE)).toBeNull();
  });
});

describe('hasOperatorSession', () => {
  async function check(method: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
    const app = Fastify();
    app.setErrorHandler((error, _request, reply) => reply.code(error instanceof GatewayError ? error.status : 500).send(error instanceof Error ? error.message : String(error)));
    app.route({ method: method as 'GET', url: '/probe', handler: async (request) => String(hasOperatorSession(request, KEY)) });
    const response = await app.inject({ method: method as 'GET', url: '/probe', headers: { host: 'farm.example:8080', ...headers } });
    await app.close();
    return { status: response.statusCode, body: response.body };
  }
  const cookie = `${OPERATOR_COOKIE}=${operatorSessionToken(KEY)}`;

  it('takes the cookie on reads, and on actions only from a page of the same host (CSRF)', async () => {
    expect(await check('GET', { cookie })).toEqual({ status: 200, body: 'true' });
    expect(await check('GET', {})).toEqual({ status: 200, body: 'false' });
    expect(await check('POST', { cookie, origin: 'http://farm.example:8080' })).toEqual({ status: 200, body: 'true' });
    const foreign = await check('POST', { cookie, origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toContain('Received Origin: https://evil.example');
    expect((await check('POST', { cookie })).body).toContain('Received Origin: (none)');
  });
});
