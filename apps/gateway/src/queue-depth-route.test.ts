import { createJobId } from '@portrait-farm/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, GatewayHarness, jobForm, KEY_A } from './testing/gateway-harness.ts';

const OPERATOR_KEY = 'operator-key-for-tests-0123';
const DEPTH = '/v1/queue/depth';

let harness: GatewayHarness;

beforeAll(async () => {
  harness = await GatewayHarness.start();
});

afterAll(async () => {
  await harness.close();
});

const segment = (segmentIndex: number): { jobId: string; segmentIndex: number; firstWindow: number; windowCount: number; frameStart: number; frameEnd: number } => ({
  jobId: createJobId(),
  segmentIndex,
  firstWindow: segmentIndex,
  windowCount: 1,
  frameStart: segmentIndex * 10,
  frameEnd: segmentIndex * 10 + 10,
});

describe('GET /v1/queue/depth', () => {
  it('reports prioritised jobs as waiting and delayed jobs apart, and render.total as the worker pool\'s work', async () => {
    const gateway = await harness.gateway({ operatorKey: OPERATOR_KEY });
    const form = await jobForm({ priority: 9 });
    const created = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(KEY_A, form.headers), payload: form.payload });
    expect(created.statusCode).toBe(202);
    await gateway.context.queues.enqueueSegment(segment(0), { priority: 2 });
    await gateway.context.queues.enqueueSegment(segment(1), { delayMs: 60_000 });
    await gateway.context.queues.enqueueStitch({ jobId: createJobId() }, { delayMs: 60_000 });

    const response = await gateway.app.inject({ method: 'GET', url: DEPTH, headers: auth(OPERATOR_KEY) });
    expect(response.statusCode).toBe(200);
    const body = response.json<{ queues: Record<string, unknown>; render: unknown; stitch: unknown; webhook: unknown }>();
    expect(body.queues['prepare']).toEqual({ waiting: 1, prioritized: 1, delayed: 0, active: 0, paused: 0, failed: 0, isPaused: false, desired: 1 });
    expect(body.queues['segment']).toEqual({ waiting: 1, prioritized: 1, delayed: 1, active: 0, paused: 0, failed: 0, isPaused: false, desired: 1 });
    expect(Object.keys(body.queues).sort()).toEqual(['audio', 'cleanup', 'prepare', 'segment', 'stitch', 'webhook']);
    expect(body.render).toEqual({ waiting: 2, active: 0, delayed: 1, total: 2 });
    expect(body.stitch).toEqual({ waiting: 0, active: 0, delayed: 1, total: 0 });
  });

  it('needs the operator key: 401 without a key or with a wrong one, 403 with a tenant API key', async () => {
    const gateway = await harness.gateway({ operatorKey: OPERATOR_KEY });
    const none = await gateway.app.inject({ method: 'GET', url: DEPTH });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(none.json()).toEqual({ error: { code: 'GATEWAY_UNAUTHORIZED', message: expect.stringContaining('Bearer <operator key>') as unknown } });
    const wrong = await gateway.app.inject({ method: 'GET', url: DEPTH, headers: auth(`${OPERATOR_KEY}x`) });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ error: { code: 'GATEWAY_UNAUTHORIZED', message: 'The operator key is not correct.' } });
    const tenant = await gateway.app.inject({ method: 'GET', url: DEPTH, headers: auth(KEY_A) });
    expect(tenant.statusCode).toBe(403);
    expect(tenant.json()).toMatchObject({ error: { code: 'GATEWAY_NOT_OPERATOR', message: expect.stringContaining('not a tenant API key') as unknown } });
    expect((await gateway.app.inject({ method: 'GET', url: '/queue-depth' })).statusCode).toBe(404);
  });

  it('answers 404 naming PORTRAIT_FARM_OPERATOR_KEY when the farm has no operator key', async () => {
    const gateway = await harness.gateway();
    const response = await gateway.app.inject({ method: 'GET', url: DEPTH, headers: auth(KEY_A) });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: { code: 'GATEWAY_NO_OPERATOR_KEY', message: expect.stringContaining('Set PORTRAIT_FARM_OPERATOR_KEY') as unknown } });
  });
});
