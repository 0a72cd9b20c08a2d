import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeEngineTestPack } from '@portrait-farm/test-support/engine-test-pack';
import { startRedisServer, uniquePrefix } from '@portrait-farm/test-support/redis-server';
import type { RedisServerProcess } from '@portrait-farm/test-support/redis-server';
import { startLocalFarm } from 'portrait-farm/local-farm';
import type { LocalFarm } from 'portrait-farm/local-farm';
import { FIXTURES, loopedSpeech, submitJob, until } from './farm-harness.ts';

// The ops dashboard in Debian's chromium (playwright-core), against the whole farm as real processes: the gateway
// serving /dashboard and the operator API, a worker and the stitcher rendering real jobs on a real redis-server.
// Screenshots go to out/dashboard/ (look at them after a change to the page).

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = join(ROOT, 'out', 'dashboard');
const CHROMIUM = process.env['PORTRAIT_FARM_CHROMIUM'] ?? '/usr/bin/chromium';
const OPERATOR_KEY = 'dashboard-e2e-operator-key-0123456789';
const work = mkdtempSync(join(tmpdir(), 'pf-dashboard-'));
const image = join(FIXTURES, 'astronaut.png');
let audio = '';
let redis: RedisServerProcess;
let farm: LocalFarm;
let browser: Browser;
let page: Page;

async function shot(name: string): Promise<void> {
  // From the top: the page's header is sticky and would otherwise sit where the page was scrolled to.
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** The number a queue card shows for its waiting work, or one of active, delayed, failed. */
async function depth(queue: string, kind: 'queued' | 'active' | 'delayed' | 'failed'): Promise<number> {
  const card = page.locator(`[data-queue="${queue}"]`);
  const text = await card.locator(kind === 'queued' ? '.queue-queued' : `[data-depth="${kind}"] .figure-value`).textContent();
  return Number((text ?? '').replaceAll(',', ''));
}

function jobRow(id: string): ReturnType<Page['locator']> {
  return page.locator(`#jobs-table tr[data-job-id="${id}"]`);
}

async function confirm(label: string): Promise<void> {
  await expect.poll(() => page.locator('#confirm-dialog').isVisible()).toBe(true);
  await page.locator('#confirm-ok', { hasText: label }).click();
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  // The gateway serves the dashboard's compiled scripts (apps/dashboard/dist).
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', join(ROOT, 'apps', 'dashboard', 'tsconfig.build.json')]);
  const pack = join(work, 'pack');
  writeEngineTestPack(pack, { defaultSteps: 4 });
  audio = loopedSpeech(work, 2);
  mkdirSync(join(work, 'tmp'));
  redis = await startRedisServer();
  farm = await startLocalFarm({
    workers: 1,
    port: 0,
    redisUrl: redis.url,
    dataDir: join(work, 'farm'),
    storageUrl: join(work, 'storage'),
    packDir: pack,
    prefix: uniquePrefix('dash'),
    env: { PORTRAIT_FARM_OPERATOR_KEY: OPERATOR_KEY, PORTRAIT_FARM_PROVIDERS: 'cpu', PORTRAIT_FARM_TEMP_DIR: join(work, 'tmp') },
  });
  browser = await chromium.launch({ executablePath: CHROMIUM });
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await farm?.stop();
  // The processes' logs beside the screenshots, for a look after a failure.
  if (farm !== undefined) cpSync(farm.logDir, join(SHOTS, 'logs'), { recursive: true });
  await redis?.close();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('the ops dashboard in a browser', () => {
  it('asks for the operator key, refuses a wrong one and a tenant key, and opens with the right one', async () => {
    const first = await page.goto(`${farm.apiUrl}/dashboard`);
    expect(first?.status()).toBe(200);
    await expect.poll(() => page.locator('#operator-key').isVisible()).toBe(true);
    await shot('login');

    for (const wrong of ['not-the-operator-key-000000', farm.apiKey]) {
      await page.fill('#operator-key', wrong);
      const [refused] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/dashboard/login')), page.click('button[type="submit"]')]);
      expect(refused.status()).toBe(401);
      await expect.poll(() => page.locator('.login-error').textContent()).toContain('not the operator key');
    }
    await shot('login-refused');
    expect(await page.context().cookies()).toEqual([]);

    await page.fill('#operator-key', OPERATOR_KEY);
    await page.click('button[type="submit"]');
    await expect.poll(() => page.locator('#connection').textContent(), { timeout: 15_000 }).toBe('Live');
    const [cookie] = await page.context().cookies();
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', secure: false });
    // The page must follow the farm from here on without a reload: a reload would clear this mark.
    await page.evaluate('window.signedInPage = true');
    await expect.poll(() => page.locator('[data-queue="prepare"]').count()).toBe(1);
    await expect.poll(() => page.locator('#workers-table tbody tr').count(), { timeout: 30_000 }).toBeGreaterThan(0);
  });

  it('refuses an operator action posted with the cookie from another site (CSRF)', async () => {
    const [cookie] = await page.context().cookies();
    const forged = await fetch(`${farm.apiUrl}/v1/ops/queues/prepare/pause`, { method: 'POST', headers: { cookie: `${cookie!.name}=${cookie!.value}`, origin: 'https://evil.example' } });
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe('GATEWAY_CROSS_ORIGIN');
  });

  it('pauses a queue, shows the job waiting in it, resumes it, and follows the job live to success with its timeline', async () => {
    await page.locator('[data-queue="prepare"] [data-action="pause"]').click();
    await confirm('Pause queue');
    await expect.poll(() => page.locator('[data-queue="prepare"] .pill-paused').isVisible()).toBe(true);

    const created = await submitJob(farm.apiUrl, farm.apiKey, { image, audio });
    expect(created.status).toBe(202);
    const id = created.body.id;
    await expect.poll(() => jobRow(id).count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => depth('prepare', 'queued'), { timeout: 10_000 }).toBe(1);
    expect(await jobRow(id).locator('[data-status]').textContent()).toBe('queued');
    await shot('queue-paused');

    // Progress as the page shows it, sampled while the job renders.
    const seen: number[] = [];
    const sampling = setInterval(() => {
      void jobRow(id).locator('.progress').getAttribute('data-progress', { timeout: 500 }).then((p) => p !== null && seen.push(Number(p)), () => {});
    }, 150);
    await page.locator('[data-queue="prepare"] [data-action="resume"]').click();
    await confirm('Resume queue');
    await expect.poll(() => page.locator('[data-queue="prepare"] .pill-paused').count()).toBe(0);
    await jobRow(id).click();
    let rendering = false;
    await until('the job renders', async () => {
      const status = await jobRow(id).locator('[data-status]').textContent();
      if (status === 'rendering' && !rendering) {
        rendering = true;
        await shot('job-rendering');
      }
      return status === 'rendering' || status === 'stitching' || status === 'succeeded';
    }, 120_000, 200);
    await expect.poll(() => jobRow(id).locator('[data-status]').textContent(), { timeout: 180_000, interval: 250 }).toBe('succeeded');
    clearInterval(sampling);
    expect(await jobRow(id).locator('[data-cell="progress"]').textContent()).toBe('100 %');
    // It moved on the page: some value between none and all was shown before the end.
    expect(seen.some((p) => p > 0 && p < 1), `progress seen: ${seen.join(', ')}`).toBe(true);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));

    // The stitch records its end before the job succeeds: the timeline read on that change shows it done.
    await expect.poll(() => page.locator('#timeline [data-stage="stitch"]').getAttribute('data-status'), { timeout: 3000 }).toBe('done');
    const stages = await page.locator('#timeline [data-stage]').evaluateAll((rows) => rows.map((r) => ({ stage: r.getAttribute('data-stage'), worker: r.getAttribute('data-worker'), status: r.getAttribute('data-status') })));
    expect(stages[0]).toMatchObject({ stage: 'prepare', status: 'done' });
    expect(stages.at(-1)).toMatchObject({ stage: 'stitch', status: 'done' });
    const segments = stages.filter((s) => s.stage === 'segment');
    expect(segments.length).toBeGreaterThan(1);
    for (const segment of segments) expect(segment).toMatchObject({ status: 'done', worker: expect.stringMatching(/\S/) as string });
    // The worker that rendered the segments is the one the workers table lists.
    const workerIds = await page.locator('#workers-table tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-worker-id')));
    for (const segment of segments) expect(workerIds).toContain(segment.worker);
    // The stitcher that stitched it is listed under Stitchers.
    const stitchedBy = await page.locator('#timeline [data-stage="stitch"]').getAttribute('data-worker');
    expect(stitchedBy).toMatch(/^stitcher-/);
    await expect.poll(() => page.locator('#stitchers-table tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-worker-id')))).toEqual([stitchedBy]);
    await expect.poll(() => page.locator('[data-chart="jobs"] [data-total="succeeded"]').textContent(), { timeout: 10_000 }).not.toBe('0');
    await shot('job-succeeded-timeline');
    expect(await page.evaluate('window.signedInPage')).toBe(true);
  }, 360_000);

  it('cancels a running job from the page and retries it', async () => {
    const created = await submitJob(farm.apiUrl, farm.apiKey, { image, audio });
    const id = created.body.id;
    await expect.poll(() => jobRow(id).locator('[data-status]').textContent(), { timeout: 120_000, interval: 200 }).toMatch(/preparing|rendering/);
    await expect.poll(() => page.locator('#workers-table [data-state="rendering"]').count(), { timeout: 60_000 }).toBeGreaterThan(0);
    await shot('worker-rendering');
    await jobRow(id).locator('[data-action="cancel"]').click();
    await expect.poll(() => page.locator('#confirm-dialog').isVisible()).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'confirm-cancel.png') });
    await page.locator('#confirm-ok', { hasText: 'Cancel job' }).click();
    await expect.poll(() => jobRow(id).locator('[data-status]').textContent(), { timeout: 30_000 }).toBe('canceled');
    await expect.poll(() => page.locator('.notice-ok').first().textContent()).toContain('canceled');
    expect(await page.locator('.notice-error').count()).toBe(0);
    await shot('job-canceled');

    // The status filter: only canceled jobs, then every job again.
    const statuses = (): Promise<string[]> => page.locator('#jobs-table tbody tr [data-status]').allTextContents();
    await page.selectOption('#job-filter', 'canceled');
    await expect.poll(async () => [...new Set(await statuses())]).toEqual(['canceled']);
    expect(await jobRow(id).count()).toBe(1);
    await page.selectOption('#job-filter', 'running');
    await expect.poll(() => jobRow(id).count()).toBe(0);
    await page.selectOption('#job-filter', '');
    await expect.poll(async () => (await statuses()).includes('succeeded')).toBe(true);

    await jobRow(id).locator('[data-action="retry"]').click();
    await confirm('Retry job');
    const notice = page.locator('.notice-ok', { hasText: 'is retried as job' });
    await expect.poll(() => notice.count(), { timeout: 10_000 }).toBe(1);
    expect(await page.locator('.notice-error').count()).toBe(0);
    // A new job with the same inputs, on top of the list and on its way.
    const retryId = /retried as job (\S+),/.exec((await notice.textContent()) ?? '')?.[1] ?? '';
    expect(retryId).not.toBe(id);
    await expect.poll(() => page.locator('#jobs-table tbody tr').first().getAttribute('data-job-id')).toBe(retryId);
    await expect.poll(() => jobRow(retryId).locator('[data-status]').textContent(), { timeout: 30_000 }).toMatch(/queued|preparing|rendering/);
    await shot('job-retried');

    // Changes made elsewhere (the tenant's API) reach the page live, without it reading the list again.
    const tenant = { authorization: `Bearer ${farm.apiKey}` };
    expect((await fetch(`${farm.apiUrl}/v1/jobs/${retryId}/cancel`, { method: 'POST', headers: tenant })).status).toBeLessThan(300);
    await expect.poll(() => jobRow(retryId).locator('[data-status]').textContent(), { timeout: 3000 }).toBe('canceled');
    expect((await fetch(`${farm.apiUrl}/v1/jobs/${id}`, { method: 'DELETE', headers: tenant })).status).toBe(204);
    await expect.poll(() => jobRow(id).count(), { timeout: 3000 }).toBe(0);
  }, 300_000);

  it('says its live stream is down while the gateway restarts, and is live again without a reload', async () => {
    const restarts = farm.gateway.restarts;
    process.kill(farm.gateway.pid!, 'SIGKILL');
    await expect.poll(() => page.locator('#connection').textContent(), { timeout: 10_000 }).toBe('Reconnecting…');
    // The page reads nothing on a timer while the stream is down: the last known jobs stay, under the badge.
    expect(await page.locator('#jobs-table tbody tr').count()).toBeGreaterThan(0);
    await shot('reconnecting');
    await until('the gateway restarted', async () => farm.gateway.restarts > restarts, 30_000);
    await expect.poll(() => page.locator('#connection').textContent(), { timeout: 60_000, interval: 250 }).toBe('Live');
    await expect.poll(() => page.locator('#jobs .error-box').count(), { timeout: 15_000 }).toBe(0);
    expect(await page.locator('#jobs-table tbody tr').count()).toBeGreaterThan(0);
    expect(await page.evaluate('window.signedInPage')).toBe(true);
  }, 120_000);

  it('signs out', async () => {
    await page.locator('button', { hasText: 'Sign out' }).click();
    await expect.poll(() => page.locator('#operator-key').isVisible()).toBe(true);
    expect((await fetch(`${farm.apiUrl}/v1/ops/overview`, { headers: { cookie: 'pf_operator_session=' } })).status).toBe(401);
  });
});
