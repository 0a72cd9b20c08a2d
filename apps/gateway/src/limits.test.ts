import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pngImage, wavTone } from './testing/media-fixtures.ts';
import { auth, GatewayHarness, jobForm } from './testing/gateway-harness.ts';
import type { JobForm } from './testing/gateway-harness.ts';
import type { Gateway } from './build-gateway.ts';

let harness: GatewayHarness;

beforeAll(async () => {
  harness = await GatewayHarness.start();
});

afterAll(async () => {
  await harness.close();
});

async function create(gateway: Gateway, form: JobForm = {}, headers: Record<string, string> = {}) {
  const body = await jobForm(form);
  return gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(undefined, { ...body.headers, ...headers }), payload: body.payload });
}

function errorOf(response: { json: <T>() => T }): { code: string; message: string } {
  return response.json<{ error: { code: string; message: string } }>().error;
}

describe('create limits', () => {
  it('answers 413 when the upload exceeds the limit, and stores nothing', async () => {
    const gateway = await harness.gateway({ limits: { maxUploadBytes: 40_000 } });
    const response = await create(gateway, { audio: wavTone(2) }); // 64 kB of WAV
    expect(response.statusCode).toBe(413);
    expect(errorOf(response)).toMatchObject({ code: 'GATEWAY_UPLOAD_TOO_LARGE' });
    expect(errorOf(response).message).toContain('40000 bytes');
    expect(await gateway.context.storage.list('jobs/')).toEqual([]);
    expect(await gateway.context.jobs.activeCount('tenant-a')).toBe(0);
  });

  it('answers 422 naming the option, its range and the value received', async () => {
    const gateway = await harness.gateway();
    const cases: Array<[object | string, string]> = [
      [{ fps: 80 }, 'options.fps must be an integer between 12 and 60. Received: 80'],
      [{ steps: 0 }, 'options.steps must be an integer between 1 and 100. Received: 0'],
      [{ solver: 'euler' }, 'options.solver must be one of ddim, dpmpp-2m. Received: "euler"'],
      [{ controls: { emotionIntensity: 1.5 } }, 'options.controls.emotionIntensity must be a number between 0 and 1. Received: 1.5'],
      [{ controls: { gaze: { x: 2, y: 0 } } }, 'options.controls.gaze must be "camera" or {x, y}, each a number between -1 and 1. Received: {"x":2,"y":0}'],
      [{ faceIndex: 1, faceBox: { x: 0, y: 0, width: 10, height: 10 } }, 'pass one'],
      [{ colour: 'red' }, 'options.colour is not a known option'],
      [{ controls: { emotionIntensity: 0.5 } }, 'emotionIntensity scales an emotion: give the emotion too.'],
      [{ seed: '5' }, 'options.seed must be an integer between 0 and 4294967295. Received: "5"'],
      [{ controls: { gaze: 'up' } }, 'options.controls.gaze must be "camera" or {x, y}'],
    ];
    for (const [options, message] of cases) {
      const response = await create(gateway, { options });
      expect(response.statusCode, JSON.stringify(options)).toBe(422);
      expect(errorOf(response).code).toBe('GATEWAY_BAD_OPTION');
      expect(errorOf(response).message).toContain(message);
    }
    const priority = await create(gateway, { priority: 11 });
    expect(errorOf(priority).message).toBe('priority must be an integer between 1 and 10. Received: 11');
    const webhook = await create(gateway, { webhook: { url: 'ftp://example.com/x' } });
    expect(errorOf(webhook).message).toContain('webhook.url must be an https URL');
    const badJson = await create(gateway, { options: '{fps: 3' });
    expect(badJson.statusCode).toBe(400);
  });

  it('refuses images with too many pixels and unreadable images', async () => {
    const gateway = await harness.gateway({ limits: { maxImagePixels: 100 * 100 } });
    const big = await create(gateway, { image: await pngImage(120, 100) });
    expect(big.statusCode).toBe(422);
    expect(errorOf(big)).toEqual({
      code: 'GATEWAY_IMAGE_TOO_LARGE',
      message: 'The image must have at most 10000 pixels. Received: 120x100 = 12000 pixels',
    });
    const garbage = await create(gateway, { image: Buffer.from('not an image at all') });
    expect(errorOf(garbage).code).toBe('GATEWAY_BAD_IMAGE');
    expect(await gateway.context.storage.list('jobs/')).toEqual([]);
  });

  it('refuses audio longer than the limit and files without audio', async () => {
    const gateway = await harness.gateway({ limits: { maxAudioSeconds: 2 } });
    const long = await create(gateway, { audio: wavTone(3) });
    expect(long.statusCode).toBe(422);
    expect(errorOf(long)).toEqual({ code: 'GATEWAY_AUDIO_TOO_LONG', message: 'The audio must be at most 2 seconds long. Received: 3.00 seconds' });
    const notAudio = await create(gateway, { audio: await pngImage(8, 8) });
    expect(errorOf(notAudio).code).toBe('GATEWAY_BAD_AUDIO');
    expect((await create(gateway, { audio: wavTone(1.5) })).statusCode).toBe(202);
  });

  it('answers 429 with Retry-After past the per-tenant job rate', async () => {
    const gateway = await harness.gateway({ limits: { jobsPerMinute: 2 } });
    expect((await create(gateway)).statusCode).toBe(202);
    expect((await create(gateway)).statusCode).toBe(202);
    const third = await create(gateway);
    expect(third.statusCode).toBe(429);
    expect(errorOf(third).code).toBe('GATEWAY_RATE_LIMITED');
    expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
    const other = await gateway.app.inject({ method: 'GET', url: '/v1/jobs', headers: auth() });
    expect(other.statusCode).toBe(200); // reads have their own, larger budget
  });

  it('answers 429 with Retry-After past the per-tenant request rate, exactly at the limit', async () => {
    const gateway = await harness.gateway({ limits: { requestsPerMinute: 5 } });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await gateway.app.inject({ method: 'GET', url: '/v1/jobs', headers: auth() })).statusCode);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
  });

  it('holds a job beyond the tenant\'s concurrency (202, queued, with its position), refuses one past the hold\'s cap, releases on cancel', async () => {
    const gateway = await harness.gateway({ limits: { maxConcurrentJobs: 2, maxQueuedJobs: 1 } });
    const created = [await create(gateway), await create(gateway)];
    expect(created.map((response) => response.json<{ queuePosition: number | null }>().queuePosition)).toEqual([null, null]);
    const held = await create(gateway);
    expect(held.statusCode).toBe(202);
    expect(held.json()).toMatchObject({ status: 'queued', queuePosition: 1 });
    const heldId = held.json<{ id: string }>().id;
    const view = async (id: string) => (await gateway.app.inject({ method: 'GET', url: `/v1/jobs/${id}`, headers: auth() })).json<{ status: string; queuePosition: number | null }>();
    expect(await view(heldId)).toMatchObject({ status: 'queued', queuePosition: 1 });

    const refused = await create(gateway);
    expect(refused.statusCode).toBe(429);
    expect(errorOf(refused).code).toBe('GATEWAY_QUEUE_FULL');
    expect(errorOf(refused).message).toContain('PORTRAIT_FARM_MAX_QUEUED_JOBS=1');

    const prepare = gateway.context.queues.queue('prepare');
    expect(await prepare.getJob(`${heldId}-prepare`)).toBeUndefined();
    const first = created[0]!.json<{ id: string }>().id;
    expect((await gateway.app.inject({ method: 'POST', url: `/v1/jobs/${first}/cancel`, headers: auth() })).statusCode).toBe(200);
    await expect.poll(async () => (await prepare.getJob(`${heldId}-prepare`))?.data.jobId, { timeout: 5000 }).toBe(heldId);
    expect(await view(heldId)).toMatchObject({ status: 'queued', queuePosition: null });

    // A held job canceled leaves the hold.
    const next = await create(gateway);
    expect(next.json()).toMatchObject({ queuePosition: 1 });
    const canceled = await gateway.app.inject({ method: 'POST', url: `/v1/jobs/${next.json<{ id: string }>().id}/cancel`, headers: auth() });
    expect(canceled.json()).toMatchObject({ status: 'canceled', queuePosition: null });
    expect(await gateway.context.jobs.heldCount('tenant-a')).toBe(0);
    expect(await gateway.context.jobs.activeCount('tenant-a')).toBe(2);
  });

  it('answers 415 for other body types', async () => {
    const gateway = await harness.gateway();
    const response = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(undefined, { 'content-type': 'text/plain' }), payload: 'hello' });
    expect(response.statusCode).toBe(415);
    expect(errorOf(response).code).toBe('GATEWAY_UNSUPPORTED_MEDIA_TYPE');
  });
});
