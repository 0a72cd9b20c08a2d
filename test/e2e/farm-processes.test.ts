import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeEngineTestPack } from '@portrait-farm/test-support/engine-test-pack';
import { startLocalFarm } from 'portrait-farm/local-farm';
import type { LocalFarm } from 'portrait-farm/local-farm';
import { probeMedia } from '@portrait-farm/media';
import { checkManifest, loadPublicKey } from '@portrait-farm/provenance';
import { bullPrefix, createRedisConnection, QUEUE_NAMES } from '@portrait-farm/queue';
import { Queue } from 'bullmq';
import sharp from 'sharp';
import { startRedisServer, uniquePrefix } from '@portrait-farm/test-support/redis-server';
import type { RedisServerProcess } from '@portrait-farm/test-support/redis-server';
import { detectWatermarkInVideo } from '@portrait-farm/watermark';
import { decodedFrameHashes, documentProblems, downloadResult, farmReferenceSha, FIXTURES, getJob, loopedSpeech, manifestOf, sha256, submitJob, videoSha256, until, WebhookReceiver } from './farm-harness.ts';

// The whole farm as real processes (gateway, 2 workers, stitcher) on a real redis-server, filesystem storage and
// the engine's small test pack, against renderClip of the same inputs, options and seed.
const work = mkdtempSync(join(tmpdir(), 'pf-e2e-'));
const pack = join(work, 'pack');
const storageDir = join(work, 'storage');
// Worker temp files go here, so what a killed worker leaves behind is removed with the rest.
const tempDir = join(work, 'tmp');
const image = join(FIXTURES, 'astronaut.png');
const shortAudio = join(FIXTURES, 'speech-3s.wav');
let longAudio = '';
let redis: RedisServerProcess;
let farm: LocalFarm;
let receiver: WebhookReceiver;
let queueConnection: ReturnType<typeof createRedisConnection>;
let segmentQueue: Queue;
let prepareQueue: Queue;
const LIVE_GRACE_SECONDS = 5;

/** sha256 of renderClip of the job's inputs with the watermark the farm embedded in `video` (its manifest's payload). */
function referenceSha(video: Uint8Array, audio: string): Promise<string> {
  return farmReferenceSha(video, { image, audio, pack, dir: work });
}

/** The pid of the farm worker running one of the job's steps from `queue`, once one does. */
async function workerRunning(queue: Queue, jobId: string, what: string, everyMs: number): Promise<number> {
  let victim: number | null = null;
  await until(what, async () => {
    const owner = (await queue.getJobs(['active'])).find((job) => job.data.jobId === jobId)?.processedBy;
    const pid = owner === undefined ? NaN : Number(owner.slice(owner.lastIndexOf('-') + 1));
    victim = farm.workers.find((w) => w.pid === pid)?.pid ?? null;
    return victim !== null;
  }, 30_000, everyMs);
  return victim!;
}

function chunksOf(jobId: string): string[] {
  try {
    return readdirSync(join(storageDir, 'jobs', jobId, 'chunks')).filter((f) => /^\d{5}\.ts$/.test(f));
  } catch {
    return [];
  }
}

beforeAll(async () => {
  writeEngineTestPack(pack, { defaultSteps: 4 });
  mkdirSync(tempDir);
  longAudio = loopedSpeech(work, 2);
  redis = await startRedisServer();
  receiver = await WebhookReceiver.start(() => farm.webhookSecret);
  farm = await startLocalFarm({
    workers: 2,
    port: 0,
    redisUrl: redis.url,
    dataDir: join(work, 'farm'),
    storageUrl: storageDir,
    packDir: pack,
    prefix: uniquePrefix('e2e'),
    // The receiver is on loopback: named, it is the one loopback endpoint the stitcher may POST to.
    webhookAllowHosts: [new URL(receiver.url).host],
    env: {
      PORTRAIT_FARM_TEMP_DIR: tempDir,
      PORTRAIT_FARM_PROVIDERS: 'cpu',
      PORTRAIT_FARM_LOCK_MS: '3000',
      PORTRAIT_FARM_STALLED_INTERVAL_MS: '1000',
      // A succeeded job's chunks go LIVE_GRACE seconds after the clip's length has passed since success.
      PORTRAIT_FARM_LIVE_GRACE_SECONDS: String(LIVE_GRACE_SECONDS),
    },
    log: (line) => {
      if (process.env['PF_E2E_VERBOSE'] === '1') process.stdout.write(`${line}\n`);
    },
  });
  queueConnection = createRedisConnection(redis.url, { role: 'worker' });
  segmentQueue = new Queue(QUEUE_NAMES.segment, { connection: queueConnection, prefix: bullPrefix(farm.prefix) });
  prepareQueue = new Queue(QUEUE_NAMES.prepare, { connection: queueConnection, prefix: bullPrefix(farm.prefix) });
}, 180_000);

afterAll(async () => {
  await segmentQueue?.close();
  await prepareQueue?.close();
  queueConnection?.disconnect();
  await farm?.stop();
  await receiver?.close();
  await redis?.close();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('farm (processes)', () => {
  it('renders a job to signed job.progress and job.succeeded webhooks and an MP4 byte-identical to renderClip', async () => {
    const created = await submitJob(farm.apiUrl, farm.apiKey, { image, audio: shortAudio, webhook: receiver.url });
    expect(created.status).toBe(202);
    const event = await receiver.waitFor(created.body.id, 'job.succeeded', 90_000);
    expect(event.status).toBe('succeeded');
    expect(receiver.rejected).toEqual([]);
    // The live stream stays for players still reading it (the clip's length and the grace), then goes.
    const succeededAt = Date.now();
    expect(chunksOf(created.body.id).length).toBeGreaterThan(0);
    // The stitcher's webhook carries the job as the document's Job: its URLs, the output's download URL and expiry.
    expect(documentProblems('Job', event.data)).toEqual([]);
    expect(event.data['urls']).toMatchObject({ self: `${farm.apiUrl}/v1/jobs/${created.body.id}` });
    const download = (event.data['output'] as { url: string }).url;
    const output = await downloadResult(farm.apiUrl, farm.apiKey, created.body.id);
    const expectedSha = await referenceSha(output, shortAudio);
    expect(videoSha256(Buffer.from(await (await fetch(download)).arrayBuffer()))).toBe(expectedSha);
    const file = join(work, 'farm-short.mp4');
    writeFileSync(file, output);
    const info = await probeMedia(file);
    expect(info.streams.map((s) => s.type).sort()).toEqual(['audio', 'video']);
    const audioSeconds = (await probeMedia(shortAudio)).durationSeconds ?? 0;
    expect(Math.abs((info.durationSeconds ?? 0) - audioSeconds)).toBeLessThan(0.1);
    expect(videoSha256(output)).toBe(expectedSha);
    // The worker embedded the invisible watermark in every frame: found with the farm's (default) key, carrying the
    // payload the signed manifest names.
    const watermark = await detectWatermarkInVideo(file);
    expect(watermark.found).toBe(true);
    expect(Buffer.from(watermark.payload!).toString('hex')).toBe(manifestOf(output)!.manifest.watermark.payload);
    const job = await getJob(farm.apiUrl, farm.apiKey, created.body.id);
    expect(job['output']).toMatchObject({ sha256: sha256(output), size: output.length });
    // The stitcher signed it: the manifest verifies with the key the gateway serves, and names the job and its consent.
    const served = (await (await fetch(`${farm.apiUrl}/v1/signing-key`)).json()) as { publicKeyPem: string };
    const provenance = await checkManifest(file, loadPublicKey(served.publicKeyPem));
    expect(provenance).toMatchObject({ manifest: 'found', signatureValid: true, altered: false });
    expect(provenance.fields).toMatchObject({ jobId: created.body.id, consent: { attestation: true }, model: { pack: expect.any(String) as string } });
    const clipSeconds = (job['output'] as { durationSeconds: number }).durationSeconds;
    await until('the live stream removed', async () => chunksOf(created.body.id).length === 0, (clipSeconds + LIVE_GRACE_SECONDS + 15) * 1000, 100);
    expect((Date.now() - succeededAt) / 1000).toBeGreaterThan(clipSeconds + LIVE_GRACE_SECONDS - 1);
    await receiver.waitFor(created.body.id, 'job.progress', 30_000);
    const progress = receiver.events.filter((e) => e.jobId === created.body.id && e.type === 'job.progress');
    const segments = (job['progress'] as { segmentsTotal: number }).segmentsTotal;
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.length).toBeLessThanOrEqual(segments);
    expect(new Set(progress.map((e) => e.headers['webhook-id'])).size).toBe(progress.length);
  }, 120_000);

  // Regression (issue 16, item 6): the live stream had no sound, and a player still reading it when the job
  // succeeded was cut short (ffmpeg got 50 of 60 s) because the chunks were removed at once.
  it('streams the job live with its sound; a player reading across the success gets every frame', async () => {
    const created = await submitJob(farm.apiUrl, farm.apiKey, { image, audio: longAudio });
    const id = created.body.id;
    const playlist = `${farm.apiUrl}/v1/jobs/${id}/live.m3u8`;
    const headers = { authorization: `Bearer ${farm.apiKey}` };
    await until('a first chunk in the live playlist', async () => /#EXTINF/.test(await (await fetch(playlist, { headers })).text()), 90_000, 50);
    // ffmpeg as an HLS client from the first chunk, in real time: the job succeeds while it is still reading.
    const received = join(work, `live-${id}.ts`);
    const player = spawn('ffmpeg', ['-nostdin', '-v', 'warning', '-headers', `Authorization: Bearer ${farm.apiKey}\r\n`, '-live_start_index', '0', '-re', '-i', playlist, '-map', '0', '-c', 'copy', '-y', received]);
    let warnings = '';
    player.stderr.on('data', (text: Buffer) => (warnings += text.toString()));
    const code = await new Promise<number | null>((resolve) => player.on('close', resolve));
    const playerDone = Date.now();
    expect(code, warnings).toBe(0);
    expect(warnings).toBe('');
    const job = await getJob(farm.apiUrl, farm.apiKey, id);
    expect(job.status).toBe('succeeded');
    expect(Date.parse(job['finishedAt'] as string), 'the job succeeded while the player was reading').toBeLessThan(playerDone - 1000);
    // Every frame of the final video, and the sound along the whole clip.
    const final = join(work, `final-${id}.mp4`);
    writeFileSync(final, await downloadResult(farm.apiUrl, farm.apiKey, id));
    expect(decodedFrameHashes(received)).toEqual(decodedFrameHashes(final));
    const info = await probeMedia(received);
    expect(info.audio).toMatchObject({ codec: 'aac', sampleRate: 48_000, channels: 1 });
    const clipSeconds = (job['output'] as { durationSeconds: number }).durationSeconds;
    const segments = (job['progress'] as { segmentsTotal: number }).segmentsTotal;
    const counted = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-count_packets', '-show_entries', 'stream=nb_read_packets', '-of', 'json', received], { encoding: 'utf8' });
    const soundSeconds = (Number((JSON.parse(counted) as { streams: Array<{ nb_read_packets: string }> }).streams[0]?.nb_read_packets) * 1024) / 48_000;
    // Each chunk's sound ends less than one AAC frame (21.3 ms) before its video.
    expect(soundSeconds).toBeGreaterThan(clipSeconds - segments * 0.0225 - 0.05);
    expect(soundSeconds).toBeLessThanOrEqual(clipSeconds + 0.05);
  }, 180_000);

  it('answers a repeated Idempotency-Key with the same job and renders it once', async () => {
    const first = await submitJob(farm.apiUrl, farm.apiKey, { image, audio: shortAudio, idempotencyKey: 'e2e-idem-1' });
    const second = await submitJob(farm.apiUrl, farm.apiKey, { image, audio: shortAudio, idempotencyKey: 'e2e-idem-1' });
    expect(first.status).toBe(202);
    expect(second.body.id).toBe(first.body.id);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    await until('the idempotent job succeeding', async () => (await getJob(farm.apiUrl, farm.apiKey, first.body.id)).status === 'succeeded', 90_000, 250);
    const output = await downloadResult(farm.apiUrl, farm.apiKey, first.body.id);
    expect(videoSha256(output)).toBe(await referenceSha(output, shortAudio));
  }, 120_000);

  it('refuses a portrait with no face at create, before anything is stored or queued', async () => {
    const blank = join(work, 'blank.png');
    await sharp({ create: { width: 256, height: 256, channels: 3, background: { r: 120, g: 130, b: 140 } } }).png().toFile(blank);
    const created = await submitJob(farm.apiUrl, farm.apiKey, { image: blank, audio: shortAudio, webhook: receiver.url });
    expect(created.status).toBe(422);
    expect(created.body).toMatchObject({ error: { code: 'GATEWAY_FACE_NOT_FOUND' } });
  }, 60_000);

  it('cancels a rendering job within seconds and deletes its chunks and work files', async () => {
    const created = await submitJob(farm.apiUrl, farm.apiKey, { image, audio: longAudio, webhook: receiver.url });
    const id = created.body.id;
    await until('a first chunk', async () => chunksOf(id).length > 0, 90_000);
    // The gateway's live playlist lists the chunks the workers stored, as they come.
    let live = '';
    await until('chunk 0 in the live playlist', async () => {
      live = await (await fetch(`${farm.apiUrl}/v1/jobs/${id}/live.m3u8`, { headers: { authorization: `Bearer ${farm.apiKey}` } })).text();
      return /#EXTINF:\d+\.\d{3},\n\S*00000\.ts/.test(live);
    }, 5000);
    expect(live).toContain('#EXTM3U');
    const canceledAt = Date.now();
    const response = await fetch(`${farm.apiUrl}/v1/jobs/${id}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${farm.apiKey}` } });
    expect(response.status).toBe(200);
    await receiver.waitFor(id, 'job.canceled', 15_000);
    // Workers that were rendering notice within moments, abort, and remove anything they uploaded.
    await until('chunks deleted', async () => chunksOf(id).length === 0, 10_000, 20);
    if (process.env['PF_E2E_VERBOSE'] === '1') process.stdout.write(`cancel: chunks gone ${Date.now() - canceledAt} ms after POST /cancel\n`);
    // No step of the job runs or waits any more: running ones aborted, waiting ones were discarded or skipped.
    await until('no segment step of the job left', async () => {
      const left = await segmentQueue.getJobs(['active', 'wait', 'prioritized', 'delayed']);
      return left.every((job) => job.data.jobId !== id);
    }, 10_000, 20);
    if (process.env['PF_E2E_VERBOSE'] === '1') process.stdout.write(`cancel: no steps left ${Date.now() - canceledAt} ms after POST /cancel\n`);
    await new Promise((r) => setTimeout(r, 3000));
    expect(chunksOf(id)).toEqual([]);
    await until('work files deleted', async () => !existsSync(join(storageDir, 'jobs', id, 'work', 'clip.bin')), 10_000);
    expect((await getJob(farm.apiUrl, farm.apiKey, id)).status).toBe('canceled');
    expect(Date.now() - canceledAt).toBeLessThan(15_000);
  }, 120_000);

  it('finishes a job whose worker is killed (SIGKILL) mid-segment, with the same bytes as renderClip', async () => {
    const created = await submitJob(farm.apiUrl, farm.apiKey, { image, audio: longAudio, webhook: receiver.url });
    const id = created.body.id;
    await until('a first chunk', async () => chunksOf(id).length > 0, 90_000);
    const victim = await workerRunning(segmentQueue, id, 'a segment being rendered', 50);
    process.kill(victim, 'SIGKILL');
    await receiver.waitFor(id, 'job.succeeded', 120_000);
    const output = await downloadResult(farm.apiUrl, farm.apiKey, id);
    expect(videoSha256(output)).toBe(await referenceSha(output, longAudio));
    expect(farm.workers.reduce((n, w) => n + w.restarts, 0)).toBeGreaterThanOrEqual(1);
  }, 180_000);

  it('finishes a job whose worker is killed (SIGKILL) in its prepare step, which renders segment 0', async () => {
    const restartsBefore = farm.workers.reduce((n, w) => n + w.restarts, 0);
    const created = await submitJob(farm.apiUrl, farm.apiKey, { image, audio: longAudio, webhook: receiver.url });
    const id = created.body.id;
    const victim = await workerRunning(prepareQueue, id, 'the prepare step running', 10);
    process.kill(victim, 'SIGKILL');
    await receiver.waitFor(id, 'job.succeeded', 120_000);
    const output = await downloadResult(farm.apiUrl, farm.apiKey, id);
    expect(videoSha256(output)).toBe(await referenceSha(output, longAudio));
    expect(farm.workers.reduce((n, w) => n + w.restarts, 0)).toBeGreaterThan(restartsBefore);
  }, 180_000);
});
