import { createProcessLogger } from '@portrait-farm/logging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, GatewayHarness, jobForm, KEY_B } from './testing/gateway-harness.ts';

// The gateway's log (main.ts gives it the process's pino logger): request lines name the tenant once the key is
// known, and accepting and canceling a job are job events (`event`, jobId, tenant), which `portrait-farm up` shows.

let harness: GatewayHarness;

beforeAll(async () => {
  harness = await GatewayHarness.start();
});

afterAll(async () => {
  await harness.close();
});

type Entry = Record<string, unknown>;

describe('the gateway log', () => {
  it('names the tenant on request lines once authenticated, and logs job.created and job.canceled with jobId and tenant', async () => {
    const lines: string[] = [];
    const logger = createProcessLogger('gateway', { destination: { write: (text: string) => void lines.push(text) } });
    const gateway = await harness.gateway({}, { logger });
    const entries = (): Entry[] => lines.map((line) => JSON.parse(line) as Entry);

    const form = await jobForm();
    const created = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(KEY_B, form.headers), payload: form.payload });
    expect(created.statusCode).toBe(202);
    const jobId = created.json<{ id: string }>().id;
    const canceled = await gateway.app.inject({ method: 'POST', url: `/v1/jobs/${jobId}/cancel`, headers: auth(KEY_B) });
    expect(canceled.statusCode).toBe(200);
    await gateway.app.inject({ method: 'GET', url: '/healthz' });

    const events = entries().filter((entry) => entry['event'] !== undefined);
    expect(events.map((e) => [e['event'], e['jobId'], e['tenant'], e['service'], e['pid']])).toEqual([
      ['job.created', jobId, 'tenant-b', 'gateway', process.pid],
      ['job.canceled', jobId, 'tenant-b', 'gateway', process.pid],
    ]);
    // Each key once in the line: the tenant comes from the request's child logger alone.
    for (const line of lines.filter((l) => l.includes('"event"'))) expect(line.match(/"tenant":/g)).toHaveLength(1);
    const completed = entries().filter((entry) => entry['msg'] === 'request completed');
    expect(completed.map((e) => [(e['res'] as { statusCode: number }).statusCode, e['tenant']])).toEqual([
      [202, 'tenant-b'],
      [200, 'tenant-b'],
      [200, undefined], // /healthz: no key, no tenant
    ]);
  });
});
