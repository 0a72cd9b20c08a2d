import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { jobStorageKeys } from '@portrait-farm/jobs';
import { createStorage } from '@portrait-farm/storage';
import type { ObjectStorage } from '@portrait-farm/storage';
import { startLocalFarm } from 'portrait-farm/local-farm';
import type { LocalFarm } from 'portrait-farm/local-farm';
import { downloadResult, farmReferenceSha, FIXTURES, getJob, submitJob, videoSha256 } from '../e2e/farm-harness.ts';
import { S3Endpoint } from './s3-endpoint.ts';
import { S3Gate } from './s3-gate.ts';

/** Small and quick: 3 s of speech (two segments), 12 fps, the face crop, 4 sampling steps (the pack's default). */
export const CHAOS_JOB_OPTIONS = Object.freeze({ fps: 12, mode: 'crop' as const, seed: 11 });
export const CHAOS_IMAGE = join(FIXTURES, 'astronaut.png');
export const CHAOS_AUDIO = join(FIXTURES, 'speech-3s.wav');

/** Short step locks, so that a step whose process died is taken over within seconds. */
const STEP_ENV = {
  PORTRAIT_FARM_PROVIDERS: 'cpu',
  PORTRAIT_FARM_LOCK_MS: '3000',
  PORTRAIT_FARM_STALLED_INTERVAL_MS: '1000',
  PORTRAIT_FARM_RENDER_THREADS: '1',
  // The chunks stay for the test to list them (every segment once), not removed after success.
  PORTRAIT_FARM_LIVE_GRACE_SECONDS: '3600',
};

/** A local farm (Redis with its append-only file, gateway, worker, stitcher as child processes) under a chaos test. */
export interface ChaosFarm {
  farm: LocalFarm;
  /** The S3 server (S3 storage) and the gate the farm reaches it through; null with filesystem storage. */
  s3: S3Endpoint | null;
  gate: S3Gate | null;
  /** The farm's storage, read by the test (chunk listings). */
  storage: ObjectStorage;
  /** The folder of the farm's own Redis (its append-only files under `appendonlydir/`). */
  redisDir: string;
  /** The model pack the farm renders with, and a folder for renderClip references. */
  pack: string;
  referenceDir: string;
  stop(): Promise<void>;
}

export interface ChaosFarmOptions {
  work: string;
  pack: string;
  /** 's3': s3rver behind an {@link S3Gate}; else the folder of filesystem storage. */
  storage: 's3' | { dir: string };
  env?: Record<string, string>;
  log?: (line: string) => void;
}

export async function startChaosFarm(options: ChaosFarmOptions): Promise<ChaosFarm> {
  const tempDir = join(options.work, 'tmp');
  mkdirSync(tempDir, { recursive: true });
  let s3: S3Endpoint | null = null;
  let gate: S3Gate | null = null;
  let storageUrl: string;
  if (options.storage === 's3') {
    s3 = await S3Endpoint.start(['farm']);
    gate = await S3Gate.start(s3.port);
    storageUrl = `s3://S3RVER:S3RVER@farm/chaos?endpoint=${encodeURIComponent(gate.endpoint)}&region=us-east-1`;
  } else {
    storageUrl = options.storage.dir;
  }
  const dataDir = join(options.work, 'farm');
  const farm = await startLocalFarm({
    workers: 1,
    port: 0,
    dataDir,
    packDir: options.pack,
    storageUrl,
    stopGraceMs: 2000,
    env: { ...STEP_ENV, PORTRAIT_FARM_TEMP_DIR: tempDir, ...options.env },
    log: options.log ?? ((): void => {}),
  });
  const storage = createStorage(storageUrl);
  return {
    farm,
    s3,
    gate,
    storage,
    // Where startLocalFarm keeps its own Redis.
    redisDir: join(dataDir, 'redis'),
    pack: options.pack,
    referenceDir: options.work,
    async stop() {
      await farm.stop();
      await storage.close();
      await gate?.close();
      await s3?.close();
    },
  };
}

/** How one accepted job ended, as the test judges it. */
export interface JobVerdict {
  id: string;
  status: 'succeeded' | 'failed' | 'lost';
  /** sha256 of the downloaded video without its manifest box (succeeded). */
  sha: string | null;
  /**
   * sha256 of renderClip of the same inputs with the job's own invisible watermark (its manifest's payload): every
   * job carries its own payload, so videos of different jobs differ; each must equal its reference (succeeded).
   */
  expectedSha?: string | null;
  error: { code: string; message: string } | null;
  /** What is wrong beyond the status: a segment missing or twice, progress disagreeing, an unclear error. */
  problems: string[];
}

/** Submits a chaos job; throws unless the gateway accepts it (202). */
export async function submit(chaos: ChaosFarm, extra: { webhook?: string } = {}): Promise<string> {
  const created = await submitJob(chaos.farm.apiUrl, chaos.farm.apiKey, { image: CHAOS_IMAGE, audio: CHAOS_AUDIO, options: CHAOS_JOB_OPTIONS, ...extra });
  if (created.status !== 202) throw new Error(`POST /v1/jobs answered ${created.status}: ${JSON.stringify(created.body)}`);
  return created.body.id;
}

type JobBody = Record<string, unknown> & { status: string };

/** The job as GET /v1/jobs/{id} answers it, or null while the gateway cannot answer (Redis restarting). */
async function readJob(chaos: ChaosFarm, id: string): Promise<JobBody | null> {
  try {
    const job = await getJob(chaos.farm.apiUrl, chaos.farm.apiKey, id);
    return typeof job.status === 'string' ? job : null;
  } catch {
    return null;
  }
}

/** An error a person can act on: a catalogued code (not the catch-all) and a message without a stack. */
function unclearError(error: { code: string; message: string } | null): string | null {
  if (error === null) return 'failed without an error';
  if (error.code === 'FARM_STEP_FAILED' || !/^[A-Z][A-Z0-9_]+$/.test(error.code)) return `unclear error code ${error.code}: ${error.message}`;
  if (/\n\s+at /.test(error.message) || error.message.length > 600) return `unclear error message for ${error.code}: ${error.message.slice(0, 300)}`;
  return null;
}

/**
 * Waits until the job is terminal (or `timeoutMs` passes: lost), then checks it: a succeeded job has exactly the
 * chunks of its plan (one per segment, none twice, none missing), progress at the total, and its video is
 * downloaded and hashed; a failed job has a clear error.
 */
export async function judge(chaos: ChaosFarm, id: string, timeoutMs: number): Promise<JobVerdict> {
  const deadline = Date.now() + timeoutMs;
  let job: JobBody | null = null;
  for (;;) {
    job = await readJob(chaos, id);
    if (job !== null && ['succeeded', 'failed', 'canceled'].includes(job.status)) break;
    if (Date.now() > deadline) {
      return { id, status: 'lost', sha: null, error: null, problems: [`still ${job?.status ?? 'unreadable'} after ${timeoutMs / 1000} s`] };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const problems: string[] = [];
  if (job.status === 'canceled') return { id, status: 'lost', sha: null, error: null, problems: ['canceled, though nobody canceled it'] };
  if (job.status === 'failed') {
    const error = (job['error'] as { code: string; message: string } | null) ?? null;
    const unclear = unclearError(error);
    if (unclear !== null) problems.push(unclear);
    return { id, status: 'failed', sha: null, error, problems };
  }
  const progress = job['progress'] as { segmentsDone: number; segmentsTotal: number };
  if (progress.segmentsDone !== progress.segmentsTotal) problems.push(`progress ${progress.segmentsDone}/${progress.segmentsTotal}`);
  const chunks = [...(await chaos.storage.list(jobStorageKeys.chunkPrefix(id)))].sort();
  const expected = Array.from({ length: progress.segmentsTotal }, (_, i) => jobStorageKeys.chunk(id, i)).sort();
  if (JSON.stringify(chunks) !== JSON.stringify(expected)) problems.push(`chunks ${JSON.stringify(chunks)} instead of ${expected.length} segments`);
  // The video without its signed manifest box (the signing time differs between jobs): byte-identical to renderClip
  // with the job's watermark.
  const video = await downloadResult(chaos.farm.apiUrl, chaos.farm.apiKey, id);
  const sha = videoSha256(video);
  const expectedSha = await farmReferenceSha(video, { image: CHAOS_IMAGE, audio: CHAOS_AUDIO, pack: chaos.pack, dir: chaos.referenceDir, options: CHAOS_JOB_OPTIONS });
  return { id, status: 'succeeded', sha, expectedSha, error: null, problems };
}
