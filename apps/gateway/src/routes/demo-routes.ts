import type { FastifyInstance } from 'fastify';
import type { DashboardAssets } from '../dashboard-assets.ts';
import { GatewayError } from '../errors.ts';
import { DEMO_ASSET_SCHEMA, DEMO_PAGE_SCHEMA } from '../route-schemas.ts';

/**
 * The page's rules: its scripts, styles and API calls from this gateway; the session stream from the worker that
 * hosts it (another host and port: ws: or wss:); video from Media Source Extensions (blob:); the microphone for itself.
 */
const PAGE_HEADERS = Object.freeze({
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' blob:; connect-src 'self' ws: wss:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
  'permissions-policy': 'microphone=(self)',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
});

/**
 * The realtime demo under /demo (apps/live-demo): a public page; what it does, it does with the tenant API key the
 * visitor types in, through the same API as any client. The files come from `assets`.
 */
export async function demoRoutes(app: FastifyInstance, assets: DashboardAssets): Promise<void> {
  app.get('/demo', { schema: DEMO_PAGE_SCHEMA }, async (_request, reply) => {
    const page = assets.get('index.html');
    if (page === undefined || !assets.has('main.js')) {
      throw new GatewayError('GATEWAY_UNAVAILABLE', 'This gateway has no demo page files: build apps/live-demo (npm run build) and start the gateway with its folders.');
    }
    return reply.headers(PAGE_HEADERS).type(page.contentType).send(page.body);
  });

  app.get('/demo/assets/:name', { schema: DEMO_ASSET_SCHEMA }, async (request, reply) => {
    const { name } = request.params as { name: string };
    const asset = assets.get(name);
    if (asset === undefined) throw new GatewayError('GATEWAY_NOT_FOUND', `The demo page has no file ${name}.`);
    return reply.headers({ 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache' }).type(asset.contentType).send(asset.body);
  });
}
