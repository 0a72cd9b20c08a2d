import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayHarness } from './testing/gateway-harness.ts';

// The demo page's serving through inject(); the page itself plays a real session in a browser (test/e2e/live-demo).

let harness: GatewayHarness;
let pages: string;
let scripts: string;

beforeAll(async () => {
  harness = await GatewayHarness.start();
  pages = mkdtempSync(join(tmpdir(), 'pf-demo-pages-'));
  scripts = mkdtempSync(join(tmpdir(), 'pf-demo-scripts-'));
  writeFileSync(join(pages, 'index.html'), '<p>the demo</p>');
  writeFileSync(join(pages, 'demo.css'), 'body {}');
  writeFileSync(join(scripts, 'main.js'), 'console.log("demo");');
});

afterAll(async () => {
  await harness.close();
});

describe('the realtime demo page', () => {
  it('is public, with a policy that lets it play the worker stream and use the microphone', async () => {
    const gateway = await harness.gateway({ faceCheck: false }, { demoDirs: [pages, scripts] });
    const page = await gateway.app.inject({ method: 'GET', url: '/demo' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toBe('<p>the demo</p>');
    const policy = String(page.headers['content-security-policy']);
    expect(policy).toContain("connect-src 'self' ws: wss:");
    expect(policy).toContain("media-src 'self' blob:");
    expect(policy).toContain("script-src 'self'");
    expect(page.headers['permissions-policy']).toBe('microphone=(self)');
    const script = await gateway.app.inject({ method: 'GET', url: '/demo/assets/main.js' });
    expect([script.statusCode, script.headers['content-type'], script.body]).toEqual([200, 'text/javascript; charset=utf-8', 'console.log("demo");']);
    const missing = await gateway.app.inject({ method: 'GET', url: '/demo/assets/nothing.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'GATEWAY_NOT_FOUND' } });
    const outside = await gateway.app.inject({ method: 'GET', url: '/demo/assets/..%2Fpackage.json' });
    expect(outside.statusCode).toBeGreaterThanOrEqual(400);
  });

  it('says how to get the files when the gateway has none', async () => {
    const gateway = await harness.gateway({ faceCheck: false });
    const page = await gateway.app.inject({ method: 'GET', url: '/demo' });
    expect(page.statusCode).toBe(503);
    expect(page.json()).toMatchObject({ error: { code: 'GATEWAY_UNAVAILABLE', message: expect.stringContaining('apps/live-demo') } });
  });
});
