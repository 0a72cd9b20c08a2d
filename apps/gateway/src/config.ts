import { readFileSync } from 'node:fs';
import { parseSecret } from '@portrait-farm/webhooks';
import { GatewayError } from './errors.ts';

/** Per-tenant and per-request limits. */
export interface GatewayLimits {
  /** Largest upload (image + audio) or fetched input, in bytes. @defaultValue 52428800 (50 MB) */
  maxUploadBytes?: number;
  /** Most image pixels (width x height). @defaultValue 40000000 */
  maxImagePixels?: number;
  /** Longest audio, in seconds. @defaultValue 600 */
  maxAudioSeconds?: number;
  /** Authenticated requests per tenant per minute. @defaultValue 600 */
  requestsPerMinute?: number;
  /** Job creations per tenant per minute. @defaultValue 60 */
  jobsPerMinute?: number;
  /** Active (not finished) jobs per tenant. @defaultValue 10 */
  maxConcurrentJobs?: number;
}

/** Downloading inputs named by URL (JSON requests). */
export interface InputFetchPolicy {
  /** Allow plain http:// URLs (tests). @defaultValue false */
  allowHttp?: boolean;
  /** Allow 127/8 and ::1 (tests, local development). @defaultValue false */
  allowLoopback?: boolean;
  /** Allow private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7). @defaultValue false */
  allowPrivate?: boolean;
  /** Time allowed for one download, in milliseconds. @defaultValue 30000 */
  timeoutMs?: number;
}

/** Webhook delivery run inside the gateway process (small deployments; larger ones run it in a worker process). */
export interface WebhookDeliveryConfig {
  /** Start the webhook delivery worker in this process. @defaultValue false */
  runWorker?: boolean;
  /** Deliver to loopback addresses. @defaultValue false */
  allowLoopback?: boolean;
  /** Deliver to private addresses (receivers inside the cluster). @defaultValue false */
  allowPrivate?: boolean;
  /** Deliveries in flight at once. @defaultValue 8 */
  concurrency?: number;
  /** Delay before each retry, in milliseconds. @defaultValue 5 s, 30 s, 2 min, ... 8 h */
  retryScheduleMs?: number[];
}

/** Gateway configuration; `resolveGatewayConfig` checks it once and freezes it. */
export interface GatewayConfig {
  /** `redis://host:port`. */
  redisUrl: string;
  /** Storage URL for @portrait-farm/storage's createStorage (file path or s3://). */
  storageUrl: string;
  /** Origin clients reach the gateway at, used in `urls` and presigned file URLs, e.g. https://farm.example.com */
  publicBaseUrl: string;
  /** API key -> tenant id. */
  apiKeys: Readonly<Record<string, string>>;
  /** Filesystem storage: secret for presigned file URLs (16+ characters). Required with that driver. */
  presignSecret?: string;
  /** Deployment prefix of Redis keys and queues. @defaultValue "pf" */
  prefix?: string;
  limits?: GatewayLimits;
  inputFetch?: InputFetchPolicy;
  /** How long an Idempotency-Key is remembered, in seconds. @defaultValue 86400 */
  idempotencyTtlSeconds?: number;
  /** Lifetime of presigned result and chunk URLs, in seconds. @defaultValue 3600 */
  presignSeconds?: number;
  /** Fastify's logger (pino). @defaultValue false */
  logger?: boolean;
  /** Tenant id -> webhook signing secret(s), `whsec_<base64>`. Tenants without one get no webhooks. */
  webhookSecrets?: Readonly<Record<string, string | readonly string[]>>;
  webhooks?: WebhookDeliveryConfig;
}

export type ResolvedGatewayConfig = Readonly<
  Required<Omit<GatewayConfig, 'limits' | 'inputFetch' | 'presignSecret' | 'webhooks' | 'webhookSecrets'>> & {
    presignSecret: string | null;
    webhookSecrets: Readonly<Record<string, readonly string[]>>;
    webhooks: Readonly<Required<Omit<WebhookDeliveryConfig, 'retryScheduleMs'>> & { retryScheduleMs: readonly number[] | null }>;
    limits: Readonly<Required<GatewayLimits>>;
    inputFetch: Readonly<Required<InputFetchPolicy>>;
  }
>;

function bad(message: string): GatewayError {
  return new GatewayError('GATEWAY_BAD_CONFIG', message);
}

function integer(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) throw bad(`${name} must be an integer between ${min} and ${max}. Received: ${String(value)}`);
  return v;
}

function flag(name: string, value: boolean | undefined): boolean {
  if (value !== undefined && typeof value !== 'boolean') throw bad(`${name} must be true or false. Received: ${String(value)}`);
  return value ?? false;
}

/** Checks every field, fills the defaults and freezes the result. Throws GATEWAY_BAD_CONFIG naming the field. */
export function resolveGatewayConfig(config: GatewayConfig): ResolvedGatewayConfig {
  for (const name of ['redisUrl', 'storageUrl', 'publicBaseUrl'] as const) {
    if (typeof config[name] !== 'string' || config[name].trim() === '') throw bad(`${name} is required.`);
  }
  let base: URL;
  try {
    base = new URL(config.publicBaseUrl);
  } catch {
    throw bad(`publicBaseUrl must be an absolute http(s) URL. Received: ${config.publicBaseUrl}`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw bad(`publicBaseUrl must be http(s). Received: ${base.protocol}`);
  const apiKeys = config.apiKeys ?? {};
  const keyCount = Object.keys(apiKeys).length;
  if (keyCount === 0) throw bad('apiKeys must map at least one API key to a tenant.');
  for (const [key, tenant] of Object.entries(apiKeys)) {
    if (key.length < 8) throw bad(`API keys must be at least 8 characters. Received one of ${key.length} for tenant ${tenant}`);
    if (typeof tenant !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(tenant)) {
      throw bad(`Tenant ids must be 1-64 letters, digits, ".", "_" or "-". Received: ${JSON.stringify(tenant)}`);
    }
  }
  const prefix = config.prefix ?? 'pf';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(prefix)) throw bad(`prefix must be 1-64 letters, digits, "-" or "_". Received: ${prefix}`);
  if (config.presignSecret !== undefined && config.presignSecret.length < 16) {
    throw bad(`presignSecret must be at least 16 characters. Received: ${config.presignSecret.length} characters`);
  }
  const limits = config.limits ?? {};
  const fetchPolicy = config.inputFetch ?? {};
  const webhookSecrets: Record<string, readonly string[]> = {};
  for (const [tenant, secrets] of Object.entries(config.webhookSecrets ?? {})) {
    const list = [secrets].flat();
    for (const secret of list) {
      try {
        parseSecret(secret);
      } catch (error) {
        throw bad(`webhookSecrets of tenant ${tenant}: ${(error as Error).message}`);
      }
    }
    webhookSecrets[tenant] = Object.freeze(list);
  }
  const webhooks = config.webhooks ?? {};
  const schedule = webhooks.retryScheduleMs ?? null;
  if (schedule !== null && (!Array.isArray(schedule) || !schedule.every((ms) => Number.isInteger(ms) && ms >= 0))) {
    throw bad(`webhooks.retryScheduleMs must be a list of whole milliseconds >= 0. Received: ${JSON.stringify(schedule)}`);
  }
  return Object.freeze({
    redisUrl: config.redisUrl,
    storageUrl: config.storageUrl,
    publicBaseUrl: base.href.replace(/\/+$/, ''),
    apiKeys: Object.freeze({ ...apiKeys }),
    presignSecret: config.presignSecret ?? null,
    prefix,
    limits: Object.freeze({
      maxUploadBytes: integer('limits.maxUploadBytes', limits.maxUploadBytes, 50 * 1024 * 1024, 1024, 2 ** 40),
      maxImagePixels: integer('limits.maxImagePixels', limits.maxImagePixels, 40_000_000, 1, 2 ** 31),
      maxAudioSeconds: integer('limits.maxAudioSeconds', limits.maxAudioSeconds, 600, 1, 86_400),
      requestsPerMinute: integer('limits.requestsPerMinute', limits.requestsPerMinute, 600, 1, 1_000_000),
      jobsPerMinute: integer('limits.jobsPerMinute', limits.jobsPerMinute, 60, 1, 1_000_000),
      maxConcurrentJobs: integer('limits.maxConcurrentJobs', limits.maxConcurrentJobs, 10, 1, 100_000),
    }),
    inputFetch: Object.freeze({
      allowHttp: flag('inputFetch.allowHttp', fetchPolicy.allowHttp),
      allowLoopback: flag('inputFetch.allowLoopback', fetchPolicy.allowLoopback),
      allowPrivate: flag('inputFetch.allowPrivate', fetchPolicy.allowPrivate),
      timeoutMs: integer('inputFetch.timeoutMs', fetchPolicy.timeoutMs, 30_000, 100, 600_000),
    }),
    idempotencyTtlSeconds: integer('idempotencyTtlSeconds', config.idempotencyTtlSeconds, 86_400, 60, 30 * 86_400),
    presignSeconds: integer('presignSeconds', config.presignSeconds, 3600, 60, 604_800),
    logger: flag('logger', config.logger),
    webhookSecrets: Object.freeze(webhookSecrets),
    webhooks: Object.freeze({
      runWorker: flag('webhooks.runWorker', webhooks.runWorker),
      allowLoopback: flag('webhooks.allowLoopback', webhooks.allowLoopback),
      allowPrivate: flag('webhooks.allowPrivate', webhooks.allowPrivate),
      concurrency: integer('webhooks.concurrency', webhooks.concurrency, 8, 1, 256),
      retryScheduleMs: schedule === null ? null : Object.freeze([...schedule]),
    }),
  });
}

/** `key1:tenantA,key2:tenantB` -> { key1: 'tenantA', key2: 'tenantB' } (split at each entry's last ':'). */
export function parseApiKeyList(text: string, variable = 'PORTRAIT_FARM_API_KEYS'): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const entry of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const at = entry.lastIndexOf(':');
    if (at <= 0 || at === entry.length - 1) throw bad(`${variable} entries must be A:B. Received an entry of ${entry.length} characters without one`);
    keys[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return keys;
}

function envInt(env: Readonly<Record<string, string | undefined>>, name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  if (!/^\d+$/.test(text)) throw bad(`${name} must be a whole number. Received: ${text}`);
  return Number(text);
}

/**
 * Configuration from the environment: PORTRAIT_FARM_CONFIG names a JSON file with a GatewayConfig; the
 * variables below override its fields (REDIS_URL, STORAGE_URL, PUBLIC_URL, API_KEYS "key:tenant,...",
 * API_KEYS_FILE with a JSON object key -> tenant, PRESIGN_SECRET, PREFIX, MAX_UPLOAD_BYTES, MAX_IMAGE_PIXELS,
 * MAX_AUDIO_SECONDS, REQUESTS_PER_MINUTE, JOBS_PER_MINUTE, MAX_CONCURRENT_JOBS, all prefixed PORTRAIT_FARM_).
 * `overrides` (the process's own choices, such as its logger) win over both.
 */
export function loadGatewayConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
  overrides: Partial<GatewayConfig> = {},
): ResolvedGatewayConfig {
  const v = (name: string) => env[`PORTRAIT_FARM_${name}`];
  const file = v('CONFIG');
  const base: Partial<GatewayConfig> = file === undefined ? {} : (JSON.parse(readFileSync(file, 'utf8')) as Partial<GatewayConfig>);
  const keysFile = v('API_KEYS_FILE');
  const apiKeys = {
    ...(base.apiKeys ?? {}),
    ...(keysFile === undefined ? {} : (JSON.parse(readFileSync(keysFile, 'utf8')) as Record<string, string>)),
    ...(v('API_KEYS') === undefined ? {} : parseApiKeyList(v('API_KEYS') ?? '')),
  };
  const limits: GatewayLimits = { ...(base.limits ?? {}) };
  const limitVars = {
    maxUploadBytes: 'MAX_UPLOAD_BYTES',
    maxImagePixels: 'MAX_IMAGE_PIXELS',
    maxAudioSeconds: 'MAX_AUDIO_SECONDS',
    requestsPerMinute: 'REQUESTS_PER_MINUTE',
    jobsPerMinute: 'JOBS_PER_MINUTE',
    maxConcurrentJobs: 'MAX_CONCURRENT_JOBS',
  } as const;
  for (const [field, name] of Object.entries(limitVars) as Array<[keyof GatewayLimits, string]>) {
    const value = envInt(env, `PORTRAIT_FARM_${name}`);
    if (value !== undefined) limits[field] = value;
  }
  const presignSecret = v('PRESIGN_SECRET') ?? base.presignSecret;
  const webhookSecrets: Record<string, string | readonly string[]> = { ...(base.webhookSecrets ?? {}) };
  for (const [tenant, secret] of Object.entries(parseApiKeyList(v('WEBHOOK_SECRETS') ?? '', 'PORTRAIT_FARM_WEBHOOK_SECRETS'))) {
    // The list is TENANT:SECRET; parseApiKeyList splits at the last ':', which whsec_ base64 never contains.
    webhookSecrets[tenant] = secret;
  }
  const webhooks: WebhookDeliveryConfig = { ...(base.webhooks ?? {}) };
  if (v('WEBHOOK_WORKER') !== undefined) webhooks.runWorker = v('WEBHOOK_WORKER') === '1' || v('WEBHOOK_WORKER') === 'true';
  if (v('WEBHOOK_ALLOW_PRIVATE') !== undefined) webhooks.allowPrivate = v('WEBHOOK_ALLOW_PRIVATE') === '1' || v('WEBHOOK_ALLOW_PRIVATE') === 'true';
  return resolveGatewayConfig({
    ...base,
    redisUrl: v('REDIS_URL') ?? base.redisUrl ?? 'redis://127.0.0.1:6379',
    storageUrl: v('STORAGE_URL') ?? base.storageUrl ?? '',
    publicBaseUrl: v('PUBLIC_URL') ?? base.publicBaseUrl ?? 'http://127.0.0.1:8080',
    prefix: v('PREFIX') ?? base.prefix ?? 'pf',
    apiKeys,
    limits,
    webhookSecrets,
    webhooks,
    ...(presignSecret === undefined ? {} : { presignSecret }),
    ...overrides,
  });
}
