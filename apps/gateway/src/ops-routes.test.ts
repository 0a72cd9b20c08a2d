import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_ERRORS } from './errors.ts';
import { Validator } from '@seriousme/openapi-schema-validator';
import { OPENAPI_FILE, formatDocument } from './openapi.ts';
import { PID_HEADER } from './routes/ops-routes.ts';
import { auth, GatewayHarness, jobForm } from './testing/gateway-harness.ts';

let harness: GatewayHarness;

beforeAll(async () => {
  harness = await GatewayHarness.start();
});

afterAll(async () => {
  await harness.close();
});

interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  components: { schemas: { Error: { properties: { error: { properties: { code: { enum: string[] } } } } } } };
}

describe('operations endpoints', () => {
  it('readyz fails while Redis is down and recovers when it is back; healthz stays up', async () => {
    const gateway = await harness.gateway();
    const ready = await gateway.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { redis: 'ok', storage: 'ok' } });
    // The process answering, which `portrait-farm up` compares with the pid of the gateway it started.
    expect(ready.headers[PID_HEADER]).toBe(String(process.pid));
    expect((await gateway.app.inject({ method: 'GET', url: '/healthz' })).headers[PID_HEADER]).toBe(String(process.pid));

    await harness.redis.stop();
    try {
      const down = await gateway.app.inject({ method: 'GET', url: '/readyz' });
      expect(down.statusCode).toBe(503);
      expect(down.json()).toMatchObject({ status: 'unavailable', checks: { storage: 'ok' } });
      expect(down.json<{ checks: { redis: string } }>().checks.redis).toMatch(/^failed/);
      expect((await gateway.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      const api = await gateway.app.inject({ method: 'GET', url: '/v1/jobs', headers: auth() });
      expect(api.statusCode).toBe(503);
      expect(api.json()).toMatchObject({ error: { code: 'GATEWAY_UNAVAILABLE' } });
    } finally {
      await harness.redis.start();
    }
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i += 1) {
      status = (await gateway.app.inject({ method: 'GET', url: '/readyz' })).statusCode;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(200);
  });

  it('exposes Prometheus metrics: default, request histogram, jobs created, queue depths', async () => {
    const gateway = await harness.gateway();
    const form = await jobForm();
    await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(undefined, form.headers), payload: form.payload });
    await gateway.app.inject({ method: 'GET', url: '/v1/jobs/job_00000000000000000000000000', headers: auth() });
    const metrics = await gateway.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('portrait_farm_gateway_process_cpu_seconds_total');
    // No tenant label: /metrics needs no API key (issue 13, found 9).
    expect(metrics.body).toContain('portrait_farm_jobs_created_total 1');
    expect(metrics.body).toMatch(/portrait_farm_http_request_duration_seconds_count\{method="POST",route="\/v1\/jobs",status_code="202"\} 1/);
    expect(metrics.body).toContain('portrait_farm_http_errors_total{code="GATEWAY_JOB_NOT_FOUND"} 1');
    // Each job in one state: the prepare step has the job's priority, so BullMQ holds it as prioritized, not waiting.
    expect(metrics.body).toContain('portrait_farm_queue_jobs{queue="prepare",state="prioritized"} 1');
    expect(metrics.body).toContain('portrait_farm_queue_jobs{queue="prepare",state="waiting"} 0');
    for (const state of ['delayed', 'active', 'failed']) expect(metrics.body).toContain(`portrait_farm_queue_jobs{queue="prepare",state="${state}"} 0`);
  });

  it('counts its own storage failures (an S3 endpoint nobody answers on fails the readiness check)', async () => {
    const endpoint = encodeURIComponent('http://127.0.0.1:9');
    const gateway = await harness.gateway({ storageUrl: `s3://farm/data?endpoint=${endpoint}&region=us-east-1&forcePathStyle=true` });
    expect((await gateway.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
    const metrics = await gateway.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/portrait_farm_storage_errors_total\{operation="check",code="STORAGE_[A-Z_]+"\} [1-9]/);
  });

  it('serves the OpenAPI document generated from the routes, the committed copy is current, and it is valid', async () => {
    const gateway = await harness.gateway();
    const served = await gateway.app.inject({ method: 'GET', url: '/openapi.json' });
    const committed = readFileSync(OPENAPI_FILE, 'utf8');
    expect(formatDocument(served.json()), 'apps/gateway/openapi.json is stale: run npm run openapi').toBe(committed);
    const doc = JSON.parse(committed) as OpenApi;
    const validation = await new Validator().validate(JSON.parse(committed) as Parameters<Validator["validate"]>[0]);
    expect(validation.errors ?? [], 'an independent OpenAPI 3.1 validator').toEqual([]);
    expect(validation.valid).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    const registered = gateway.routes
      .map(({ method, url }) => `${method} ${url.replace(/:(\w+)/g, '{$1}').replace(/\*$/, '{key}')}`)
      .sort();
    expect(registered).toEqual(documented);
    expect(doc.components.schemas.Error.properties.error.properties.code.enum.sort()).toEqual(Object.keys(GATEWAY_ERRORS).sort());
    // Every status a documented error response uses belongs to a catalogue code with that status.
    const statuses = new Set(Object.values(GATEWAY_ERRORS).map((entry) => String(entry.status)));
    for (const methods of Object.values(doc.paths)) {
      for (const operation of Object.values(methods)) {
        for (const status of Object.keys(operation.responses)) if (Number(status) >= 400) expect(statuses).toContain(status);
      }
    }
  });

  it('answers unknown routes with the catalogue shape', async () => {
    const gateway = await harness.gateway();
    const response = await gateway.app.inject({ method: 'GET', url: '/v2/nothing' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: { code: 'GATEWAY_NOT_FOUND' } });
  });
});
