import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from './build-gateway.ts';
import { OPERATOR_COOKIE } from './operator-cookie.ts';
import { LOGIN_ATTEMPTS_PER_MINUTE } from './routes/dashboard-routes.ts';
import { GatewayHarness, KEY_A } from './testing/gateway-harness.ts';

// The dashboard's serving and sign-in through inject(); the page itself is tested in a browser (test/e2e/dashboard).

const OPERATOR_KEY = 'operator-key-for-tests-0123456789';
const ORIGIN = 'http://gateway.test';
let harness: GatewayHarness;
let pages: string;
let scripts: string;

beforeAll(async () => {
  harness = await GatewayHarness.start();
  pages = mkdtempSync(join(tmpdir(), 'pf-dashboard-pages-'));
  scripts = mkdtempSync(join(tmpdir(), 'pf-dashboard-scripts-'));
  writeFileSync(join(pages, 'index.html'), '<p>the dashboard</p>');
  writeFileSync(join(pages, 'login.html'), '<form>sign in</form><!--login-error-->');
  writeFileSync(join(pages, 'off.html'), '<p>set PORTRAIT_FARM_OPERATOR_KEY</p>');
  writeFileSync(join(scripts, 'main.js'), 'console.log("dashboard");');
  writeFileSync(join(scripts, 'main.d.ts'), 'export {};');
});

afterAll(async () => {
  await harness.close();
});

function dashboard(operatorKey: string | undefined, publicBaseUrl = ORIGIN): Promise<Gateway> {
  return harness.gateway({ faceCheck: false, publicBaseUrl, ...(operatorKey === undefined ? {} : { operatorKey }) }, { dashboardDirs: [pages, scripts] });
}

async function signIn(gateway: Gateway, key: string, origin = ORIGIN): Promise<Awaited<ReturnType<Gateway['app']['inject']>>> {
  return gateway.app.inject({
    method: 'POST',
    url: '/dashboard/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded', host: new URL(ORIGIN).host, origin },
    payload: new URLSearchParams({ key }).toString(),
  });
}

function sessionOf(setCookie: string | string[] | undefined): string {
  const header = [setCookie ?? []].flat()[0] ?? '';
  return header.split(';')[0]!;
}

describe('the ops dashboard', () => {
  it('without an operator key answers 404 with a page saying how to set one', async () => {
    const gateway = await dashboard(undefined);
    const page = await gateway.app.inject({ method: 'GET', url: '/dashboard' });
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('PORTRAIT_FARM_OPERATOR_KEY');
    expect((await signIn(gateway, OPERATOR_KEY)).statusCode).toBe(404);
  });

  it('shows the sign-in form, refuses a wrong key and a tenant key, and signs in with the operator key', async () => {
    const gateway = await dashboard(OPERATOR_KEY);
    const form = await gateway.app.inject({ method: 'GET', url: '/dashboard' });
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('sign in');
    expect(form.headers['content-security-policy']).toContain("script-src 'self'");

    for (const wrong of ['not-the-operator-key-000', KEY_A]) {
      const refused = await signIn(gateway, wrong);
      expect(refused.statusCode).toBe(401);
      expect(refused.body).toContain('That is not the operator key');
      expect(refused.headers['set-cookie']).toBeUndefined();
    }
    expect((await signIn(gateway, '')).body).toContain('Enter the operator key.');

    const signedIn = await signIn(gateway, OPERATOR_KEY);
    expect(signedIn.statusCode).toBe(303);
    expect(signedIn.headers.location).toBe('/dashboard');
    const cookie = String(signedIn.headers['set-cookie']);
    expect(cookie).toMatch(new RegExp(`^${OPERATOR_COOKIE}=\\d+\\.[\\w-]{43}; Path=/; Max-Age=\\d+; HttpOnly; SameSite=Strict$`));
    expect(cookie).not.toContain(OPERATOR_KEY);

    const session = sessionOf(signedIn.headers['set-cookie']);
    const page = await gateway.app.inject({ method: 'GET', url: '/dashboard', headers: { cookie: session } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toBe('<p>the dashboard</p>');
    // The operator routes take the cookie as they take the Bearer key.
    expect((await gateway.app.inject({ method: 'GET', url: '/v1/queue/depth', headers: { cookie: session } })).statusCode).toBe(200);
    expect((await gateway.app.inject({ method: 'GET', url: '/v1/queue/depth', headers: { cookie: `${OPERATOR_COOKIE}=1.forged` } })).statusCode).toBe(401);

    const signedOut = await gateway.app.inject({ method: 'POST', url: '/dashboard/logout', headers: { cookie: session } });
    expect(signedOut.statusCode).toBe(303);
    expect(String(signedOut.headers['set-cookie'])).toContain(`${OPERATOR_COOKIE}=; Path=/; Max-Age=0`);
  });

  it('refuses a sign-in posted from another site, and marks the cookie Secure when the farm is served over https', async () => {
    const gateway = await dashboard(OPERATOR_KEY, 'https://farm.example');
    const forged = await signIn(gateway, OPERATOR_KEY, 'https://evil.example');
    expect(forged.statusCode).toBe(403);
    expect(forged.json()).toMatchObject({ error: { code: 'GATEWAY_CROSS_ORIGIN' } });
    expect(String((await signIn(gateway, OPERATOR_KEY)).headers['set-cookie'])).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
  });

  it('takes a limited number of sign-in attempts a minute from one address', async () => {
    const gateway = await dashboard(OPERATOR_KEY);
    for (let i = 0; i < LOGIN_ATTEMPTS_PER_MINUTE; i++) expect((await signIn(gateway, `wrong-operator-key-${i}-000000`)).statusCode).toBe(401);
    const limited = await signIn(gateway, OPERATOR_KEY);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ error: { code: 'GATEWAY_RATE_LIMITED' } });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('serves its scripts and styles by name only', async () => {
    const gateway = await dashboard(OPERATOR_KEY);
    const script = await gateway.app.inject({ method: 'GET', url: '/dashboard/assets/main.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.body).toBe('console.log("dashboard");');
    for (const name of ['main.d.ts', 'nothing.js', '..%2Fpackage.json', '.hidden.js']) {
      const missing = await gateway.app.inject({ method: 'GET', url: `/dashboard/assets/${name}` });
      expect(missing.statusCode, name).toBe(404);
      expect(missing.json()).toMatchObject({ error: { code: 'GATEWAY_NOT_FOUND' } });
    }
  });

  it('says the dashboard is not built when the gateway has none of its files', async () => {
    const gateway = await harness.gateway({ faceCheck: false, operatorKey: OPERATOR_KEY });
    const page = await gateway.app.inject({ method: 'GET', url: '/dashboard' });
    expect(page.statusCode).toBe(503);
    expect(page.json<{ error: { message: string } }>().error.message).toContain('npm run build');
  });
});
