import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalFarm } from 'portrait-farm/local-farm';
import type { LocalFarm } from 'portrait-farm/local-farm';
import { writeEngineTestPack } from '@portrait-farm/test-support/engine-test-pack';
import { FIXTURES, getJob, submitJob, until, WebhookReceiver } from './farm-harness.ts';

// Issue 13, found 3 and 8, with the farm's real processes: `up` serves every key of PORTRAIT_FARM_API_KEYS and keeps
// the data folder's own; its stitcher POSTs to a loopback receiver only when it is named (the farm's own gateway
// and Redis are refused at create), and the job's status shows how the deliveries went.
const work = mkdtempSync(join(tmpdir(), 'pf-e2e-tenants-'));
const pack = join(work, 'pack');
const tempDir = join(work, 'tmp');
const image = join(FIXTURES, 'astronaut.png');
const audio = join(FIXTURES, 'speech-3s.wav');
let farm: LocalFarm;
let receiver: WebhookReceiver;

beforeAll(async () => {
  writeEngineTestPack(pack, { defaultSteps: 4 });
  mkdirSync(tempDir);
  receiver = await WebhookReceiver.start(() => farm.webhookSecret);
  farm = await startLocalFarm({
    workers: 1,
    port: 0,
    dataDir: join(work, 'farm'),
    packDir: pack,
    webhookAllowHosts: [new URL(receiver.url).host],
    env: {
      PORTRAIT_FARM_API_KEYS: 'key-of-alice-0001:alice,key-of-bob-00002:bob',
      PORTRAIT_FARM_TEMP_DIR: tempDir,
      PORTRAIT_FARM_PROVIDERS: 'cpu',
    },
    log: (line) => {
      if (process.env['PF_E2E_VERBOSE'] === '1') process.stdout.write(`${line}\n`);
    },
  });
}, 120_000);

afterAll(async () => {
  await farm?.stop();
  await receiver?.close();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

async function listStatus(key: string): Promise<number> {
  return (await fetch(`${farm.apiUrl}/v1/jobs`, { headers: { authorization: `Bearer ${key}` } })).status;
}

describe('local farm tenants and webhook receivers', () => {
  it("serves every PORTRAIT_FARM_API_KEYS tenant and the data folder's key", async () => {
    expect([farm.apiKey, farm.tenant]).toEqual(['key-of-alice-0001', 'alice']);
    const dataFolderKey = Object.entries(farm.apiKeys).find(([, tenant]) => tenant === 'local')?.[0];
    expect(dataFolderKey).toBeDefined();
    expect(await listStatus('key-of-alice-0001')).toBe(200);
    expect(await listStatus('key-of-bob-00002')).toBe(200);
    expect(await listStatus(dataFolderKey!)).toBe(200);
    expect(await listStatus('key-of-nobody-003')).toBe(401);
  });

  it('refuses webhooks to its own gateway and Redis at create, and delivers to the named receiver', async () => {
    for (const target of [`${farm.apiUrl}/v1/jobs`, farm.redisUrl.replace(/^redis:/, 'http:')]) {
      const refused = await submitJob(farm.apiUrl, 'key-of-bob-00002', { image, audio, webhook: target });
      expect(refused.status, target).toBe(422);
      expect(refused.body, target).toMatchObject({ error: { code: 'GATEWAY_WEBHOOK_URL_REFUSED' } });
    }
    const created = await submitJob(farm.apiUrl, 'key-of-bob-00002', { image, audio, webhook: receiver.url });
    expect(created.status).toBe(202);
    const id = created.body.id;
    const canceled = await fetch(`${farm.apiUrl}/v1/jobs/${id}/cancel`, { method: 'POST', headers: { authorization: 'Bearer key-of-bob-00002' } });
    expect(canceled.status).toBe(200);
    await receiver.waitFor(id, 'job.canceled', 60_000);
    type Deliveries = { webhook: { deliveries: Array<{ event: string; ok: boolean; status: number }> } };
    let job = (await getJob(farm.apiUrl, 'key-of-bob-00002', id)) as unknown as Deliveries;
    await until('the delivery recorded', async () => {
      job = (await getJob(farm.apiUrl, 'key-of-bob-00002', id)) as unknown as Deliveries;
      return job.webhook.deliveries.some((d) => d.event === 'job.canceled' && d.ok);
    }, 30_000, 100);
    expect(job.webhook.deliveries.find((d) => d.event === 'job.canceled')).toMatchObject({ ok: true });
    // Alice cannot see Bob's job.
    expect((await fetch(`${farm.apiUrl}/v1/jobs/${id}`, { headers: { authorization: 'Bearer key-of-alice-0001' } })).status).toBe(404);
  }, 120_000);
});
