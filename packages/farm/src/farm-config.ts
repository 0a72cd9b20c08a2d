import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSecret } from '@portrait-farm/webhooks';
import { FarmError } from './errors.ts';

/** The repository root (packages/farm/src/../../..). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Configuration of worker and stitcher processes, from the environment, checked once at boot. */
export interface FarmProcessConfig {
  redisUrl: string;
  storageUrl: string;
  /** Deployment prefix of Redis keys and queues. */
  prefix: string;
  /** Model pack folder (workers). */
  packDir: string;
  /** onnxruntime execution providers, or null for the engine's default. */
  providers: string[] | null;
  /** Render threads per job's pool. */
  renderThreads: number;
  prepareConcurrency: number;
  segmentConcurrency: number;
  stitchConcurrency: number;
  /** BullMQ lock of a running step; a step whose process died is retried after it lapses. */
  lockMs: number;
  /** How often each Worker looks for stalled steps. */
  stalledIntervalMs: number;
  tempDir: string;
  /** Tenant -> webhook secret(s) (stitcher: webhook delivery). */
  webhookSecrets: Readonly<Record<string, string>>;
  webhookAllowLoopback: boolean;
  webhookAllowPrivate: boolean;
  /** Retry delays of webhook delivery, or null for the default schedule. */
  webhookRetryMs: number[] | null;
}

type Env = Readonly<Record<string, string | undefined>>;

function bad(message: string): FarmError {
  return new FarmError('FARM_BAD_CONFIG', message);
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) throw bad(`${name} must be an integer between ${min} and ${max}. Received: ${text}`);
  return value;
}

function flag(env: Env, name: string): boolean {
  const text = env[name];
  if (text === undefined || text === '' || text === '0' || text === 'false') return false;
  if (text === '1' || text === 'true') return true;
  throw bad(`${name} must be 1, 0, true or false. Received: ${text}`);
}

/**
 * Reads PORTRAIT_FARM_REDIS_URL (redis://127.0.0.1:6379), _STORAGE_URL (required), _PREFIX (pf), _PACK
 * (models/starter), _PROVIDERS (comma list), _RENDER_THREADS (1), _PREPARE_CONCURRENCY (1), _SEGMENT_CONCURRENCY (2),
 * _STITCH_CONCURRENCY (2), _LOCK_MS (30000), _STALLED_INTERVAL_MS (30000), _TEMP_DIR (the OS temp folder),
 * _WEBHOOK_SECRETS (tenant:whsec_...,...), _WEBHOOK_ALLOW_LOOPBACK, _WEBHOOK_ALLOW_PRIVATE, _WEBHOOK_RETRY_MS
 * (comma list of delays).
 */
export function loadFarmConfig(env: Env = process.env): FarmProcessConfig {
  const v = (name: string): string | undefined => {
    const text = env[`PORTRAIT_FARM_${name}`];
    return text === undefined || text === '' ? undefined : text;
  };
  const redisUrl = v('REDIS_URL') ?? 'redis://127.0.0.1:6379';
  if (!/^rediss?:\/\//.test(redisUrl)) throw bad(`PORTRAIT_FARM_REDIS_URL must start with redis:// or rediss://. Received: ${redisUrl.replace(/\/\/[^@/]*@/, '//***@')}`);
  const storageUrl = v('STORAGE_URL');
  if (storageUrl === undefined) throw bad('PORTRAIT_FARM_STORAGE_URL is required (a folder or s3://bucket/prefix?...).');
  const prefix = v('PREFIX') ?? 'pf';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(prefix)) throw bad(`PORTRAIT_FARM_PREFIX must be 1-64 letters, digits, "-" or "_". Received: ${prefix}`);
  const webhookSecrets: Record<string, string> = {};
  for (const entry of (v('WEBHOOK_SECRETS') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const at = entry.indexOf(':');
    if (at <= 0) throw bad(`PORTRAIT_FARM_WEBHOOK_SECRETS entries must be tenant:whsec_...; one of ${entry.length} characters has no ':'`);
    const tenant = entry.slice(0, at);
    const secret = entry.slice(at + 1);
    try {
      parseSecret(secret);
    } catch (error) {
      throw bad(`PORTRAIT_FARM_WEBHOOK_SECRETS of tenant ${tenant}: ${(error as Error).message}`);
    }
    webhookSecrets[tenant] = secret;
  }
  const retry = v('WEBHOOK_RETRY_MS');
  const webhookRetryMs = retry === undefined ? null : retry.split(',').map((s) => Number(s.trim()));
  if (webhookRetryMs !== null && !webhookRetryMs.every((ms) => Number.isInteger(ms) && ms >= 0)) {
    throw bad(`PORTRAIT_FARM_WEBHOOK_RETRY_MS must be a comma list of whole milliseconds. Received: ${retry}`);
  }
  const lockMs = integer(env, 'PORTRAIT_FARM_LOCK_MS', 30_000, 1000, 3_600_000);
  return Object.freeze({
    redisUrl,
    storageUrl,
    prefix,
    packDir: resolve(v('PACK') ?? resolve(REPO_ROOT, 'models/starter')),
    providers: v('PROVIDERS')?.split(',').map((s) => s.trim()) ?? null,
    renderThreads: integer(env, 'PORTRAIT_FARM_RENDER_THREADS', 1, 1, 32),
    prepareConcurrency: integer(env, 'PORTRAIT_FARM_PREPARE_CONCURRENCY', 1, 1, 64),
    segmentConcurrency: integer(env, 'PORTRAIT_FARM_SEGMENT_CONCURRENCY', 2, 1, 64),
    stitchConcurrency: integer(env, 'PORTRAIT_FARM_STITCH_CONCURRENCY', 2, 1, 64),
    lockMs,
    stalledIntervalMs: integer(env, 'PORTRAIT_FARM_STALLED_INTERVAL_MS', 30_000, 500, 3_600_000),
    tempDir: v('TEMP_DIR') ?? tmpdir(),
    webhookSecrets: Object.freeze(webhookSecrets),
    webhookAllowLoopback: flag(env, 'PORTRAIT_FARM_WEBHOOK_ALLOW_LOOPBACK'),
    webhookAllowPrivate: flag(env, 'PORTRAIT_FARM_WEBHOOK_ALLOW_PRIVATE'),
    webhookRetryMs,
  });
}
