import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createJobId, isJobsError } from '@portrait-farm/jobs';
import type { JobImageInput, JobRecord, NewJob } from '@portrait-farm/jobs';
import type { FastifyRequest } from 'fastify';
import type { GatewayContext } from './context.ts';
import { GatewayError } from './errors.ts';
import { avatarJobOptions, copyAvatarImage, requestedAvatarId } from './job-avatar.ts';
import { fetchInputs, JOB_PARTS, readJsonRequest, readMultipart, requireFiles } from './job-inputs.ts';
import type { LocalInput, RawJobRequest } from './job-inputs.ts';
import { parseJobRequestFields } from './job-request.ts';
import type { JobRequestFields } from './job-request.ts';
import { checkWebhookAddress } from './webhook-address.ts';

export interface CreateOutcome {
  record: JobRecord;
  /** True when an earlier request with the same Idempotency-Key made this job. */
  replayed: boolean;
  /** The job's place among the tenant's held jobs (1 = next) while the tenant runs its limit; null once in the farm. */
  queuePosition: number | null;
}

/** The Idempotency-Key header (its form is checked by the route's schema: IDEMPOTENCY_KEY_PATTERN), or null. */
export function idempotencyKeyOf(request: FastifyRequest): string | null {
  const value = request.headers['idempotency-key'];
  return typeof value === 'string' ? value : null;
}

/** Digest of what defines the job: fields plus the inputs' bytes (multipart) or URLs (JSON), or the avatar's id. */
function requestHash(fields: JobRequestFields, raw: RawJobRequest, avatarId: string | null): string {
  const inputs = Object.fromEntries(
    (['image', 'audio'] as const).map((name) => [name, raw.files[name]?.sha256 ?? raw.urls[name]?.href ?? null]),
  );
  return createHash('sha256').update(JSON.stringify({ ...fields, inputs: avatarId === null ? inputs : { ...inputs, avatar: avatarId } })).digest('hex');
}

async function replay(ctx: GatewayContext, tenantId: string, key: string | null, hash: string): Promise<JobRecord | null> {
  if (key === null) return null;
  const seen = await ctx.jobs.lookupIdempotencyKey(tenantId, key);
  if (seen === null) return null;
  if (seen.requestHash !== hash) {
    throw new GatewayError(
      'GATEWAY_IDEMPOTENCY_CONFLICT',
      `Idempotency-Key ${JSON.stringify(key)} was already used for job ${seen.jobId} with a different request; use a new key for a different request.`,
    );
  }
  return ctx.jobs.get(tenantId, seen.jobId);
}

/** Stores the uploaded portrait under the job's inputs. */
async function storeImage(ctx: GatewayContext, id: string, image: LocalInput, facts: { width: number; height: number; format: string }): Promise<JobImageInput> {
  const key = `jobs/${id}/input/image.${facts.format === 'jpeg' ? 'jpg' : facts.format}`;
  await ctx.storage.put(key, { path: image.path }, { contentType: `image/${facts.format}` });
  return { key, size: image.size, sha256: image.sha256, contentType: `image/${facts.format}`, width: facts.width, height: facts.height, format: facts.format };
}

async function storeAudio(ctx: GatewayContext, id: string, audio: LocalInput): Promise<string> {
  const key = `jobs/${id}/input/audio${audio.extension}`;
  await ctx.storage.put(key, { path: audio.path }, audio.contentType === null ? {} : { contentType: audio.contentType });
  return key;
}

function queueFullMessage(ctx: GatewayContext, detail: string): string {
  const { maxQueuedJobs, maxConcurrentJobs } = ctx.config.limits;
  return `${detail} (PORTRAIT_FARM_MAX_QUEUED_JOBS=${maxQueuedJobs} jobs may wait behind PORTRAIT_FARM_MAX_CONCURRENT_JOBS=${maxConcurrentJobs} running ones.)`;
}

/** Refuses early, before inputs are fetched and checked, when the tenant's hold is already full (`create` re-checks atomically). */
async function refuseWhenHoldFull(ctx: GatewayContext, tenantId: string): Promise<void> {
  const { maxConcurrentJobs, maxQueuedJobs } = ctx.config.limits;
  const [active, held] = await Promise.all([ctx.jobs.activeCount(tenantId), ctx.jobs.heldCount(tenantId)]);
  if (active >= maxConcurrentJobs && held >= maxQueuedJobs) {
    const detail = `Tenant ${tenantId} already has ${held} jobs queued behind its ${maxConcurrentJobs} running ones, the most allowed; wait for some to finish or cancel some.`;
    throw new GatewayError('GATEWAY_QUEUE_FULL', queueFullMessage(ctx, detail));
  }
}

/**
 * POST /v1/jobs: inputs are spooled to a temporary folder (multipart) or downloaded there (JSON URLs) under the
 * upload limit, checked as the worker would in the input-check thread (input-checks.ts: the image decoded once for
 * its own check, options.faceBox and the face the worker would animate, while the audio is probed and decoded), stored under jobs/{id}/input/,
 * then the job record is created (idempotency and concurrency checked atomically) and "prepare" is enqueued, unless the
 * tenant already runs its PORTRAIT_FARM_MAX_CONCURRENT_JOBS: then the job is held (status queued, with a queue position)
 * and the held-job dispatcher queues it when one of the tenant's running jobs ends. With `avatar` instead of `image`
 * (job-avatar.ts) the avatar's portrait is copied to the job's inputs and its face choice to the job's options; only
 * the audio is checked.
 */
export async function createJob(ctx: GatewayContext, request: FastifyRequest, tenantId: string): Promise<CreateOutcome> {
  const { limits, inputFetch } = ctx.config;
  const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!request.isMultipart() && contentType !== 'application/json') {
    throw new GatewayError(
      'GATEWAY_UNSUPPORTED_MEDIA_TYPE',
      `POST /v1/jobs takes multipart/form-data or application/json. Received: ${contentType === '' ? 'no content type' : contentType}`,
    );
  }
  const key = idempotencyKeyOf(request);
  const dir = await mkdtemp(join(tmpdir(), 'pf-gateway-'));
  const id = createJobId();
  let stored = false;
  try {
    const budget = { limit: limits.maxUploadBytes, used: 0 };
    const raw = request.isMultipart() ? await readMultipart(request, dir, budget, JOB_PARTS) : readJsonRequest(request.body, inputFetch, JOB_PARTS);
    if (request.isMultipart()) requireFiles(raw, ['audio']);
    const avatarId = requestedAvatarId(raw);
    const parsed = parseJobRequestFields(raw.fields, inputFetch.allowHttp, ctx.config.requireLabel);
    const avatar = avatarId === null ? null : await ctx.avatars.get(tenantId, avatarId);
    const fields = avatar === null ? parsed : { ...parsed, options: avatarJobOptions(parsed.options, avatar) };
    const hash = requestHash(fields, raw, avatarId);
    const earlier = await replay(ctx, tenantId, key, hash);
    if (earlier !== null) return { record: earlier, replayed: true, queuePosition: await ctx.jobs.queuePosition(earlier) };
    await checkWebhookAddress(ctx, fields.webhook);
    await refuseWhenHoldFull(ctx, tenantId);
    const local = await fetchInputs(raw, dir, budget, inputFetch);
    const audioFile = local.audio;
    if (audioFile === undefined) throw new GatewayError('GATEWAY_BAD_REQUEST', 'A job needs its audio: the file (or URL) "audio".');
    const checked = await ctx.inputChecks.check({
      // A job made from an avatar checks its audio only: the portrait was checked when the avatar was made.
      imagePath: avatar === null ? (local.image?.path ?? null) : null,
      audioPath: audioFile.path,
      maxImagePixels: limits.maxImagePixels,
      maxAudioSeconds: limits.maxAudioSeconds,
      faceCheck: ctx.config.faceCheck,
      options: {
        ...(fields.options.faceIndex === undefined ? {} : { faceIndex: fields.options.faceIndex }),
        ...(fields.options.faceBox === undefined ? {} : { faceBox: fields.options.faceBox }),
      },
    });
    const audio = checked.audio!;
    stored = true;
    const [image, audioKey] = await Promise.all([
      avatar === null ? storeImage(ctx, id, local.image!, checked.image!) : copyAvatarImage(ctx, avatar, id),
      storeAudio(ctx, id, audioFile),
    ]);
    const job: NewJob = {
      id,
      tenantId,
      ...fields,
      consent: { ...fields.consent, at: new Date().toISOString() },
      inputs: {
        image,
        audio: { key: audioKey, size: audioFile.size, sha256: audioFile.sha256, contentType: audioFile.contentType, durationSeconds: audio.durationSeconds },
        ...(avatar === null ? {} : { avatar: { id: avatar.id } }),
      },
      idempotencyKey: key,
      requestHash: hash,
    };
    const { record, created, held } = await ctx.jobs.create(job, { maxActiveJobs: limits.maxConcurrentJobs, maxHeldJobs: limits.maxQueuedJobs });
    if (!created) {
      await ctx.storage.deletePrefix(`jobs/${id}/`);
      return { record, replayed: true, queuePosition: await ctx.jobs.queuePosition(record) };
    }
    if (held) {
      // Its prepare step is queued by the held-job dispatcher once a running job of the tenant ends.
      ctx.metrics.jobsCreated.inc();
      return { record, replayed: false, queuePosition: await ctx.jobs.queuePosition(record) };
    }
    try {
      await ctx.queues.enqueuePrepare({ jobId: id, tenantId }, { priority: fields.priority });
    } catch (error) {
      await ctx.jobs.fail(id, { code: 'GATEWAY_UNAVAILABLE', message: 'The job could not be queued.' });
      throw new GatewayError('GATEWAY_UNAVAILABLE', `The job could not be queued: ${(error as Error).message}`);
    }
    ctx.metrics.jobsCreated.inc();
    return { record, replayed: false, queuePosition: null };
  } catch (error) {
    if (stored) await ctx.storage.deletePrefix(`jobs/${id}/`).catch(() => 0);
    if (isJobsError(error, 'JOBS_IDEMPOTENCY_CONFLICT')) throw new GatewayError('GATEWAY_IDEMPOTENCY_CONFLICT', error.message);
    if (isJobsError(error, 'JOBS_QUEUE_FULL')) throw new GatewayError('GATEWAY_QUEUE_FULL', queueFullMessage(ctx, error.message));
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
