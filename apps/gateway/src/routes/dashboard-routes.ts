import type { FastifyInstance, FastifyReply } from 'fastify';
import type { GatewayContext } from '../context.ts';
import type { DashboardAssets } from '../dashboard-assets.ts';
import { GatewayError } from '../errors.ts';
import { isOperatorKey } from '../operator-auth.ts';
import { assertSameOrigin, clearedSessionCookieHeader, hasOperatorSession, sessionCookieHeader } from '../operator-cookie.ts';
import { DASHBOARD_ASSET_SCHEMA, DASHBOARD_LOGIN_SCHEMA, DASHBOARD_LOGOUT_SCHEMA, DASHBOARD_PAGE_SCHEMA } from '../route-schemas.ts';

/** The pages' own rules: scripts, styles and requests only from this gateway, never framed. */
const PAGE_HEADERS = Object.freeze({
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
});

const LOGIN_ERROR_MARK = '<!--login-error-->';
/** Sign-in attempts one client address may make per minute, right or wrong. */
export const LOGIN_ATTEMPTS_PER_MINUTE = 10;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The ops dashboard under /dashboard: the page once signed in with the operator key (an HttpOnly session cookie that
 * the operator routes under /v1/ops take too), the sign-in form before, and a 404 page saying how to set an operator
 * key when the farm has none. The files come from `assets` (the app wiring passes apps/dashboard's folders).
 */
export async function dashboardRoutes(app: FastifyInstance, ctx: GatewayContext, assets: DashboardAssets): Promise<void> {
  const sendPage = (reply: FastifyReply, status: number, name: 'index.html' | 'login.html' | 'off.html', loginError?: string): FastifyReply => {
    const page = assets.get(name);
    if (page === undefined || (name === 'index.html' && !assets.has('main.js'))) {
      throw new GatewayError('GATEWAY_UNAVAILABLE', `This gateway has no ops dashboard files (${name === 'index.html' ? 'main.js' : name}): build apps/dashboard (npm run build) and start the gateway with its folders.`);
    }
    let html = page.body.toString('utf8');
    if (loginError !== undefined) html = html.replace(LOGIN_ERROR_MARK, `<p class="login-error" role="alert">${escapeHtml(loginError)}</p>`);
    return reply.code(status).headers(PAGE_HEADERS).type(page.contentType).send(html);
  };

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.get('/dashboard', { schema: DASHBOARD_PAGE_SCHEMA }, async (request, reply) => {
    const operatorKey = ctx.config.operatorKey;
    if (operatorKey === null) return sendPage(reply, 404, 'off.html');
    return sendPage(reply, 200, hasOperatorSession(request, operatorKey) ? 'index.html' : 'login.html');
  });

  app.post('/dashboard/login', { schema: DASHBOARD_LOGIN_SCHEMA }, async (request, reply) => {
    const operatorKey = ctx.config.operatorKey;
    if (operatorKey === null) return sendPage(reply, 404, 'off.html');
    assertSameOrigin(request);
    const attempts = await ctx.jobs.consumeRate(`dashboard-login:${request.ip}`, 'sign-in', LOGIN_ATTEMPTS_PER_MINUTE, 60);
    if (!attempts.allowed) {
      throw new GatewayError('GATEWAY_RATE_LIMITED', `At most ${LOGIN_ATTEMPTS_PER_MINUTE} sign-in attempts per minute from one address; retry in ${attempts.resetSeconds} s.`, {
        'retry-after': String(attempts.resetSeconds),
      });
    }
    const presented = (request.body as { key?: string } | undefined)?.key ?? '';
    if (presented === '') return sendPage(reply, 401, 'login.html', 'Enter the operator key.');
    if (!isOperatorKey(operatorKey, presented)) {
      return sendPage(reply, 401, 'login.html', 'That is not the operator key of this farm (PORTRAIT_FARM_OPERATOR_KEY). Tenant API keys do not open the dashboard.');
    }
    return reply.code(303).header('set-cookie', sessionCookieHeader(request, operatorKey, ctx.config.publicBaseUrl)).header('location', '/dashboard').send();
  });

  app.post('/dashboard/logout', { schema: DASHBOARD_LOGOUT_SCHEMA }, async (request, reply) => {
    return reply.code(303).header('set-cookie', clearedSessionCookieHeader(request, ctx.config.publicBaseUrl)).header('location', '/dashboard').send();
  });

  app.get('/dashboard/assets/:name', { schema: DASHBOARD_ASSET_SCHEMA }, async (request, reply) => {
    const { name } = request.params as { name: string };
    const asset = assets.get(name);
    if (asset === undefined) throw new GatewayError('GATEWAY_NOT_FOUND', `The ops dashboard has no file ${name}.`);
    return reply.headers({ 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache' }).type(asset.contentType).send(asset.body);
  });
}
