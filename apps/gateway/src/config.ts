import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { apiKeyProblem, checkSetting, ENVIRONMENT, readGivenConfig, tenantIdProblem, webhookSecretProblem } from '@portrait-farm/config';
import type { Environment, EnvironmentSource, SettledValueOf } from '@portrait-farm/config';
import { createRedisClient, deploymentKeyPrefix, isQueueError, resolveRedisSentinel } from '@portrait-farm/queue';
import type { ConnectionRole, RedisSentinel } from '@portrait-farm/queue';
import type { Cluster, Redis } from 'ioredis';
import { GatewayError } from './errors.ts';

// Every field's range and default is the one of the variable that sets it (@portrait-farm/config, listed in
// docs/configuration.md): a GatewayConfig given in code or in PORTRAIT_FARM_CONFIG's file is checked like the variable.

/** Per-tenant and per-request limits. */
export interface GatewayLimits {
  /** Largest upload (image + audio) or fetched input, in bytes. @defaultValue PORTRAIT_FARM_MAX_UPLOAD_BYTES's */
  maxUploadBytes?: number;
  /** Most image pixels (width x height). @defaultValue PORTRAIT_FARM_MAX_IMAGE_PIXELS's */
  maxImagePixels?: number;
  /** Longest audio, in seconds. @defaultValue PORTRAIT_FARM_MAX_AUDIO_SECONDS's */
  maxAudioSeconds?: number;
  /** Authenticated requests per tenant per minute. @defaultValue PORTRAIT_FARM_REQUESTS_PER_MINUTE's */
  requestsPerMinute?: number;
  /** Job creations per tenant per minute. @defaultValue PORTRAIT_FARM_JOBS_PER_MINUTE's */
  jobsPerMinute?: number;
  /** Jobs per tenant in the farm at once; more are held until one ends. @defaultValue PORTRAIT_FARM_MAX_CONCURRENT_JOBS's */
  maxConcurrentJobs?: number;
  /** Jobs per tenant held beyond maxConcurrentJobs; one more is refused. @defaultValue PORTRAIT_FARM_MAX_QUEUED_JOBS's */
  maxQueuedJobs?: number;
}

/** Realtime sessions' limits and defaults (POST /v1/sessions). */
export interface GatewaySessionSettings {
  /** Longest session, and maxDurationSeconds when a request gives none. @defaultValue PORTRAIT_FARM_SESSION_MAX_SECONDS's */
  maxSeconds?: number;
  /** idleTimeoutSeconds when a request gives none. @defaultValue PORTRAIT_FARM_SESSION_IDLE_SECONDS's */
  idleSeconds?: number;
  /** How long a stream token is good for. @defaultValue PORTRAIT_FARM_SESSION_CONNECT_SECONDS's */
  connectSeconds?: number;
  /** Most sessions one tenant may have waiting or streaming at once; 0: no limit. @defaultValue PORTRAIT_FARM_SESSIONS_PER_TENANT's */
  perTenant?: number;
}

/** How long a client may take to send a request; past any of them it gets 408 and its connection is closed. */
export interface GatewayTimeouts {
  /** The request line and headers, in milliseconds. @defaultValue PORTRAIT_FARM_HEADER_TIMEOUT_MS's */
  headerMs?: number;
  /** The whole request, headers and body, in milliseconds (at least headerMs). @defaultValue PORTRAIT_FARM_BODY_TIMEOUT_MS's */
  bodyMs?: number;
  /** The longest silence while a request's body arrives, in milliseconds. @defaultValue PORTRAIT_FARM_IDLE_TIMEOUT_MS's */
  idleMs?: number;
}

/** Downloading inputs named by URL (JSON requests). */
export interface InputFetchPolicy {
  /** Allow plain http:// URLs (tests). @defaultValue PORTRAIT_FARM_INPUT_ALLOW_HTTP's (false) */
  allowHttp?: boolean;
  /** Allow 127/8 and ::1 (tests, local development). @defaultValue PORTRAIT_FARM_INPUT_ALLOW_LOOPBACK's (false) */
  allowLoopback?: boolean;
  /** Allow private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7). @defaultValue PORTRAIT_FARM_INPUT_ALLOW_PRIVATE's (false) */
  allowPrivate?: boolean;
  /** Time allowed for one download, in milliseconds. @defaultValue PORTRAIT_FARM_INPUT_TIMEOUT_MS's */
  timeoutMs?: number;
}

/** Webhook delivery run inside the gateway process (small deployments; larger ones run it in a worker process). */
export interface WebhookDeliveryConfig {
  /** Start the webhook delivery worker in this process. @defaultValue PORTRAIT_FARM_WEBHOOK_WORKER's (false) */
  runWorker?: boolean;
  /** Deliver to loopback addresses. @defaultValue PORTRAIT_FARM_WEBHOOK_ALLOW_LOOPBACK's (false) */
  allowLoopback?: boolean;
  /** Deliver to private addresses (receivers inside the cluster). @defaultValue PORTRAIT_FARM_WEBHOOK_ALLOW_PRIVATE's (false) */
  allowPrivate?: boolean;
  /**
   * Endpoints (`host:port`, as the URL writes them) that may be on loopback or private addresses though the flags are
   * off, e.g. the local farm's demo receiver. @defaultValue PORTRAIT_FARM_WEBHOOK_ALLOW_HOSTS's (none)
   */
  allowHosts?: readonly string[];
  /** Deliveries in flight at once. @defaultValue PORTRAIT_FARM_WEBHOOK_CONCURRENCY's */
  concurrency?: number;
  /** Delay before each retry, in milliseconds. @defaultValue the webhooks package's schedule (5 s, 30 s, 2 min, ... 8 h) */
  retryScheduleMs?: readonly number[];
}

/** Gateway configuration; `resolveGatewayConfig` checks it once and freezes it. */
export interface GatewayConfig {
  /** `redis://host:port` (`rediss://` for TLS). */
  redisUrl: string;
  /** A PEM file of the CA that signed the Redis server's certificate (rediss://). @defaultValue PORTRAIT_FARM_REDIS_CA's (Node's root CAs) */
  redisCa?: string;
  /** Redis Sentinel: `host:port` of each sentinel; redisUrl then gives only the primary's password, database and TLS. @defaultValue PORTRAIT_FARM_REDIS_SENTINELS's (none) */
  redisSentinels?: readonly string[];
  /** The name the sentinels monitor the primary under (with redisSentinels). @defaultValue PORTRAIT_FARM_REDIS_SENTINEL_MASTER's (none) */
  redisSentinelMaster?: string;
  /** The sentinels' own password. @defaultValue PORTRAIT_FARM_REDIS_SENTINEL_PASSWORD's (none) */
  redisSentinelPassword?: string;
  /** Redis Cluster: `host:port` of some of its nodes; keys then take the prefix in a hash tag. @defaultValue PORTRAIT_FARM_REDIS_CLUSTER_NODES's (none) */
  redisClusterNodes?: readonly string[];
  /** A PEM file of the CA that signed an https S3 endpoint's certificate. @defaultValue PORTRAIT_FARM_S3_CA's (Node's root CAs) */
  s3Ca?: string;
  /** Storage URL for @portrait-farm/storage's createStorage (file path or s3://). */
  storageUrl: string;
  /** Origin clients reach the gateway at, used in `urls` and presigned file URLs, e.g. https://farm.example.com */
  publicBaseUrl: string;
  /** API key -> tenant id. */
  apiKeys: Readonly<Record<string, string>>;
  /** Filesystem storage: secret for presigned file URLs (16+ characters). Required with that driver. */
  presignSecret?: string;
  /** Deployment prefix of Redis keys and queues. @defaultValue PORTRAIT_FARM_PREFIX's ("pf") */
  prefix?: string;
  limits?: GatewayLimits;
  timeouts?: GatewayTimeouts;
  inputFetch?: InputFetchPolicy;
  /** How long an Idempotency-Key is remembered, in seconds. @defaultValue PORTRAIT_FARM_IDEMPOTENCY_TTL_SECONDS's */
  idempotencyTtlSeconds?: number;
  /** Lifetime of presigned result and chunk URLs, in seconds. @defaultValue PORTRAIT_FARM_PRESIGN_SECONDS's */
  presignSeconds?: number;
  /** Days after which finished jobs (inputs, output, record) are removed; 0 keeps them. @defaultValue PORTRAIT_FARM_RETENTION_DAYS's (30) */
  retentionDays?: number;
  /**
   * Model pack whose face models check each portrait at create (the workers' pack, so both find the same faces).
   * @defaultValue PORTRAIT_FARM_PACK's, else the starter pack the app ships (models/starter, as apps/worker)
   */
  packDir?: string;
  /**
   * Find the portrait's face at create and refuse, with a 422, what the worker would fail on: no face, several faces
   * of similar size without options.faceIndex or options.faceBox, a face too small. @defaultValue PORTRAIT_FARM_FACE_CHECK's (true)
   */
  faceCheck?: boolean;
  /** Every job gets the visible "AI-GENERATED" label (options.label); label false is refused. @defaultValue PORTRAIT_FARM_REQUIRE_LABEL's (false) */
  requireLabel?: boolean;
  /** The Ed25519 signing key (PEM text or a path): its public key is served and verifies uploads. @defaultValue PORTRAIT_FARM_SIGNING_KEY's (none) */
  signingKey?: string;
  /** The invisible watermark's key, for POST /v1/verify's detection (the workers embed with it). @defaultValue PORTRAIT_FARM_WATERMARK_KEY's (the package's default key) */
  watermarkKey?: string;
  /** Opens the ops dashboard, the operator routes and GET /v1/queue/depth. @defaultValue PORTRAIT_FARM_OPERATOR_KEY's (none: they answer 404) */
  operatorKey?: string;
  /** Fastify's logger (pino): the process's choice, not configuration. @defaultValue false */
  logger?: boolean;
  /** Tenant id -> webhook signing secret(s), `whsec_<base64>`. Tenants without one get no webhooks. */
  webhookSecrets?: Readonly<Record<string, string | readonly string[]>>;
  webhooks?: WebhookDeliveryConfig;
  sessions?: GatewaySessionSettings;
}

export type ResolvedGatewayConfig = Readonly<
  Required<Omit<GatewayConfig, 'limits' | 'sessions' | 'timeouts' | 'inputFetch' | 'presignSecret' | 'webhooks' | 'webhookSecrets' | 'packDir' | 'signingKey' | 'watermarkKey' | 'operatorKey' | 'redisCa' | 's3Ca' | 'redisSentinels' | 'redisSentinelMaster' | 'redisSentinelPassword' | 'redisClusterNodes'>> & {
    presignSecret: string | null;
    redisCa: string | null;
    /** The sentinels and master name, or null: the server of redisUrl. */
    redisSentinel: RedisSentinel | null;
    /** Redis Cluster's start nodes, or null: no cluster. */
    redisClusterNodes: readonly string[] | null;
    s3Ca: string | null;
    signingKey: string | null;
    watermarkKey: string | null;
    operatorKey: string | null;
    packDir: string;
    webhookSecrets: Readonly<Record<string, readonly string[]>>;
    webhooks: Readonly<Required<Omit<WebhookDeliveryConfig, 'retryScheduleMs'>> & { retryScheduleMs: readonly number[] | null }>;
    retentionDays: number;
    limits: Readonly<Required<GatewayLimits>>;
    sessions: Readonly<Required<GatewaySessionSettings>>;
    timeouts: Readonly<Required<GatewayTimeouts>>;
    inputFetch: Readonly<Required<InputFetchPolicy>>;
  }
>;

/** The gateway process's configuration: the resolved GatewayConfig and where it listens. */
export interface GatewayProcessConfig {
  readonly config: ResolvedGatewayConfig;
  /** PORT. */
  readonly port: number;
  /** HOST. */
  readonly host: string;
}

/** The pack the app ships (the worker's default too): src/ and dist/ are both three folders below the repository. */
const STARTER_PACK = fileURLToPath(new URL('../../../models/starter/', import.meta.url));

function bad(message: string): GatewayError {
  return new GatewayError('GATEWAY_BAD_CONFIG', message);
}

/** The field checked by the form of variable `name`, or its default when undefined. */
function setting<N extends keyof Environment>(field: string, value: unknown, name: N): SettledValueOf<Environment[N]> {
  const checked = checkSetting(field, value, name);
  if (!checked.ok) throw bad(checked.message);
  return checked.value;
}

function required<T>(field: string, name: keyof Environment, value: T | null): T {
  if (value === null) throw bad(`${field} (${name}) must be ${ENVIRONMENT[name].form.expected}. Given: nothing.`);
  return value;
}

function checkApiKeys(apiKeys: Readonly<Record<string, string>>): void {
  const entries = Object.entries(apiKeys);
  if (entries.length === 0) throw bad('apiKeys must map at least one API key to a tenant (PORTRAIT_FARM_API_KEYS, PORTRAIT_FARM_API_KEYS_FILE or the config file).');
  for (const [key, tenant] of entries) {
    const keyProblem = apiKeyProblem(key);
    if (keyProblem !== null) throw bad(`apiKeys of tenant ${JSON.stringify(tenant)}: ${keyProblem}.`);
    const tenantProblem = typeof tenant === 'string' ? tenantIdProblem(tenant) : 'must be a string';
    if (tenantProblem !== null) throw bad(`apiKeys: the tenant id ${JSON.stringify(tenant)} ${tenantProblem}.`);
  }
}

function checkWebhookSecrets(secrets: Readonly<Record<string, string | readonly string[]>>): Record<string, readonly string[]> {
  const checked: Record<string, readonly string[]> = {};
  for (const [tenant, value] of Object.entries(secrets)) {
    const tenantProblem = tenantIdProblem(tenant);
    if (tenantProblem !== null) throw bad(`webhookSecrets: the tenant id ${JSON.stringify(tenant)} ${tenantProblem}.`);
    const list = [value].flat();
    for (const secret of list) {
      const problem = typeof secret === 'string' ? webhookSecretProblem(secret) : 'Webhook secret must be a string.';
      if (problem !== null) throw bad(`webhookSecrets of tenant ${tenant}: ${problem}`);
    }
    checked[tenant] = Object.freeze(list);
  }
  return checked;
}

/** An empty string counts as unset, as an empty variable does. */
function blankAsUnset(value: unknown): unknown {
  return typeof value === 'string' && value.trim() === '' ? undefined : value;
}

function resolveSentinel(config: GatewayConfig): RedisSentinel | null {
  const sentinels = setting('redisSentinels', config.redisSentinels, 'PORTRAIT_FARM_REDIS_SENTINELS');
  const masterName = setting('redisSentinelMaster', blankAsUnset(config.redisSentinelMaster), 'PORTRAIT_FARM_REDIS_SENTINEL_MASTER');
  const password = setting('redisSentinelPassword', blankAsUnset(config.redisSentinelPassword), 'PORTRAIT_FARM_REDIS_SENTINEL_PASSWORD');
  try {
    return resolveRedisSentinel({ sentinels, masterName, password });
  } catch (error) {
    throw isQueueError(error) ? bad(error.message) : error;
  }
}

function resolveTimeouts(timeouts: GatewayTimeouts): Readonly<Required<GatewayTimeouts>> {
  const resolved = {
    headerMs: setting('timeouts.headerMs', timeouts.headerMs, 'PORTRAIT_FARM_HEADER_TIMEOUT_MS'),
    bodyMs: setting('timeouts.bodyMs', timeouts.bodyMs, 'PORTRAIT_FARM_BODY_TIMEOUT_MS'),
    idleMs: setting('timeouts.idleMs', timeouts.idleMs, 'PORTRAIT_FARM_IDLE_TIMEOUT_MS'),
  };
  if (resolved.bodyMs < resolved.headerMs) {
    throw bad(`timeouts.bodyMs (PORTRAIT_FARM_BODY_TIMEOUT_MS, ${resolved.bodyMs}) must be at least timeouts.headerMs (PORTRAIT_FARM_HEADER_TIMEOUT_MS, ${resolved.headerMs}): the whole request includes its headers.`);
  }
  return Object.freeze(resolved);
}

function resolveSessionSettings(sessions: GatewaySessionSettings): Readonly<Required<GatewaySessionSettings>> {
  const resolved = {
    maxSeconds: setting('sessions.maxSeconds', sessions.maxSeconds, 'PORTRAIT_FARM_SESSION_MAX_SECONDS'),
    idleSeconds: setting('sessions.idleSeconds', sessions.idleSeconds, 'PORTRAIT_FARM_SESSION_IDLE_SECONDS'),
    connectSeconds: setting('sessions.connectSeconds', sessions.connectSeconds, 'PORTRAIT_FARM_SESSION_CONNECT_SECONDS'),
    perTenant: setting('sessions.perTenant', sessions.perTenant, 'PORTRAIT_FARM_SESSIONS_PER_TENANT'),
  };
  if (resolved.idleSeconds > resolved.maxSeconds) {
    throw bad(`sessions.idleSeconds (PORTRAIT_FARM_SESSION_IDLE_SECONDS, ${resolved.idleSeconds}) must be at most sessions.maxSeconds (PORTRAIT_FARM_SESSION_MAX_SECONDS, ${resolved.maxSeconds}).`);
  }
  return Object.freeze(resolved);
}

/** Checks every field, fills the defaults and freezes the result. Throws GATEWAY_BAD_CONFIG naming the field and its variable. */
export function resolveGatewayConfig(config: GatewayConfig): ResolvedGatewayConfig {
  const publicUrl = new URL(setting('publicBaseUrl', config.publicBaseUrl, 'PORTRAIT_FARM_PUBLIC_URL'));
  const apiKeys = config.apiKeys ?? {};
  checkApiKeys(apiKeys);
  if (config.logger !== undefined && typeof config.logger !== 'boolean') throw bad(`logger must be true or false. Given: ${JSON.stringify(config.logger)}.`);
  const limits = config.limits ?? {};
  const fetchPolicy = config.inputFetch ?? {};
  const timeouts = resolveTimeouts(config.timeouts ?? {});
  const webhooks = config.webhooks ?? {};
  const faceCheck = setting('faceCheck', config.faceCheck, 'PORTRAIT_FARM_FACE_CHECK');
  const packDir = setting('packDir', blankAsUnset(config.packDir), 'PORTRAIT_FARM_PACK') ?? STARTER_PACK;
  const clusterNodes = setting('redisClusterNodes', config.redisClusterNodes, 'PORTRAIT_FARM_REDIS_CLUSTER_NODES');
  return Object.freeze({
    redisUrl: setting('redisUrl', config.redisUrl, 'PORTRAIT_FARM_REDIS_URL'),
    redisCa: setting('redisCa', blankAsUnset(config.redisCa), 'PORTRAIT_FARM_REDIS_CA'),
    redisSentinel: resolveSentinel(config),
    redisClusterNodes: clusterNodes,
    s3Ca: setting('s3Ca', blankAsUnset(config.s3Ca), 'PORTRAIT_FARM_S3_CA'),
    storageUrl: required('storageUrl', 'PORTRAIT_FARM_STORAGE_URL', setting('storageUrl', blankAsUnset(config.storageUrl), 'PORTRAIT_FARM_STORAGE_URL')),
    publicBaseUrl: publicUrl.href.replace(/\/+$/, ''),
    apiKeys: Object.freeze({ ...apiKeys }),
    presignSecret: setting('presignSecret', config.presignSecret, 'PORTRAIT_FARM_PRESIGN_SECRET'),
    prefix: deploymentKeyPrefix(setting('prefix', config.prefix, 'PORTRAIT_FARM_PREFIX'), clusterNodes),
    limits: Object.freeze({
      maxUploadBytes: setting('limits.maxUploadBytes', limits.maxUploadBytes, 'PORTRAIT_FARM_MAX_UPLOAD_BYTES'),
      maxImagePixels: setting('limits.maxImagePixels', limits.maxImagePixels, 'PORTRAIT_FARM_MAX_IMAGE_PIXELS'),
      maxAudioSeconds: setting('limits.maxAudioSeconds', limits.maxAudioSeconds, 'PORTRAIT_FARM_MAX_AUDIO_SECONDS'),
      requestsPerMinute: setting('limits.requestsPerMinute', limits.requestsPerMinute, 'PORTRAIT_FARM_REQUESTS_PER_MINUTE'),
      jobsPerMinute: setting('limits.jobsPerMinute', limits.jobsPerMinute, 'PORTRAIT_FARM_JOBS_PER_MINUTE'),
      maxConcurrentJobs: setting('limits.maxConcurrentJobs', limits.maxConcurrentJobs, 'PORTRAIT_FARM_MAX_CONCURRENT_JOBS'),
      maxQueuedJobs: setting('limits.maxQueuedJobs', limits.maxQueuedJobs, 'PORTRAIT_FARM_MAX_QUEUED_JOBS'),
    }),
    sessions: resolveSessionSettings(config.sessions ?? {}),
    timeouts,
    inputFetch: Object.freeze({
      allowHttp: setting('inputFetch.allowHttp', fetchPolicy.allowHttp, 'PORTRAIT_FARM_INPUT_ALLOW_HTTP'),
      allowLoopback: setting('inputFetch.allowLoopback', fetchPolicy.allowLoopback, 'PORTRAIT_FARM_INPUT_ALLOW_LOOPBACK'),
      allowPrivate: setting('inputFetch.allowPrivate', fetchPolicy.allowPrivate, 'PORTRAIT_FARM_INPUT_ALLOW_PRIVATE'),
      timeoutMs: setting('inputFetch.timeoutMs', fetchPolicy.timeoutMs, 'PORTRAIT_FARM_INPUT_TIMEOUT_MS'),
    }),
    idempotencyTtlSeconds: setting('idempotencyTtlSeconds', config.idempotencyTtlSeconds, 'PORTRAIT_FARM_IDEMPOTENCY_TTL_SECONDS'),
    presignSeconds: setting('presignSeconds', config.presignSeconds, 'PORTRAIT_FARM_PRESIGN_SECONDS'),
    retentionDays: setting('retentionDays', config.retentionDays, 'PORTRAIT_FARM_RETENTION_DAYS'),
    packDir,
    faceCheck,
    requireLabel: setting('requireLabel', config.requireLabel, 'PORTRAIT_FARM_REQUIRE_LABEL'),
    signingKey: setting('signingKey', blankAsUnset(config.signingKey), 'PORTRAIT_FARM_SIGNING_KEY'),
    watermarkKey: setting('watermarkKey', blankAsUnset(config.watermarkKey), 'PORTRAIT_FARM_WATERMARK_KEY') ?? null,
    operatorKey: setting('operatorKey', blankAsUnset(config.operatorKey), 'PORTRAIT_FARM_OPERATOR_KEY') ?? null,
    logger: config.logger ?? false,
    webhookSecrets: Object.freeze(checkWebhookSecrets(config.webhookSecrets ?? {})),
    webhooks: Object.freeze({
      runWorker: setting('webhooks.runWorker', webhooks.runWorker, 'PORTRAIT_FARM_WEBHOOK_WORKER'),
      allowLoopback: setting('webhooks.allowLoopback', webhooks.allowLoopback, 'PORTRAIT_FARM_WEBHOOK_ALLOW_LOOPBACK'),
      allowPrivate: setting('webhooks.allowPrivate', webhooks.allowPrivate, 'PORTRAIT_FARM_WEBHOOK_ALLOW_PRIVATE'),
      allowHosts: Object.freeze([...(setting('webhooks.allowHosts', webhooks.allowHosts, 'PORTRAIT_FARM_WEBHOOK_ALLOW_HOSTS') ?? [])]),
      concurrency: setting('webhooks.concurrency', webhooks.concurrency, 'PORTRAIT_FARM_WEBHOOK_CONCURRENCY'),
      retryScheduleMs: setting('webhooks.retryScheduleMs', webhooks.retryScheduleMs, 'PORTRAIT_FARM_WEBHOOK_RETRY_MS'),
    }),
  });
}

/** `key1:tenantA,key2:tenantB` -> { key1: 'tenantA', key2: 'tenantB' }, read as PORTRAIT_FARM_API_KEYS is. */
export function parseApiKeyList(text: string): Record<string, string> {
  const variable = ENVIRONMENT.PORTRAIT_FARM_API_KEYS;
  const parsed = variable.form.parse(text);
  if (!parsed.ok) {
    const because = parsed.reason === null ? '' : ` (${parsed.reason})`;
    throw bad(`PORTRAIT_FARM_API_KEYS must be ${variable.form.expected}. Given: ${variable.form.show(text)}${because}.`);
  }
  return Object.fromEntries(parsed.value.map(([key, tenant]) => [key, tenant]));
}

function readJsonFile<T>(file: string, variable: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (error) {
    throw bad(`${variable} names ${file}, which is not a readable JSON file: ${(error as Error).message}`);
  }
}

/** Drops the undefined fields, so that what the environment does not set leaves the file's value. */
function defined<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/**
 * The gateway process's configuration, from the environment read once (docs/configuration.md): PORTRAIT_FARM_CONFIG's
 * JSON file (a GatewayConfig) first, the variables over its fields, `overrides` (the process's own choices, such as its
 * logger) over both; then every field is checked and defaulted by its variable's form. PORT and HOST for the listener.
 * Throws ConfigError for a malformed or unknown variable, GATEWAY_BAD_CONFIG for a bad file or field.
 */
export function loadGatewayProcessConfig(env: EnvironmentSource = process.env, overrides: Partial<GatewayConfig> = {}): GatewayProcessConfig {
  const given = readGivenConfig('gateway', env);
  const file: Partial<GatewayConfig> = given.configFile === undefined ? {} : readJsonFile(given.configFile, 'PORTRAIT_FARM_CONFIG');
  const keysFile: Record<string, string> = given.apiKeysFile === undefined ? {} : readJsonFile(given.apiKeysFile, 'PORTRAIT_FARM_API_KEYS_FILE');
  const webhookSecrets: Record<string, string | readonly string[]> = { ...(file.webhookSecrets ?? {}) };
  const envSecrets = new Map<string, string[]>();
  for (const [tenant, secret] of given.webhookSecrets ?? []) envSecrets.set(tenant, [...(envSecrets.get(tenant) ?? []), secret]);
  for (const [tenant, secrets] of envSecrets) webhookSecrets[tenant] = secrets;
  const config = resolveGatewayConfig({
    ...file,
    ...defined({
      presignSecret: given.presignSecret,
      prefix: given.prefix,
      idempotencyTtlSeconds: given.idempotencyTtlSeconds,
      presignSeconds: given.presignSeconds,
      retentionDays: given.retentionDays,
      packDir: given.packDir,
      faceCheck: given.faceCheck,
      requireLabel: given.requireLabel,
      signingKey: given.signingKey,
      watermarkKey: given.watermarkKey,
      operatorKey: given.operatorKey,
      redisCa: given.redisCa,
      redisSentinels: given.redisSentinels,
      redisSentinelMaster: given.redisSentinelMaster,
      redisSentinelPassword: given.redisSentinelPassword,
      redisClusterNodes: given.redisClusterNodes,
      s3Ca: given.s3Ca,
    }),
    redisUrl: given.redisUrl ?? file.redisUrl ?? ENVIRONMENT.PORTRAIT_FARM_REDIS_URL.default,
    publicBaseUrl: given.publicBaseUrl ?? file.publicBaseUrl ?? ENVIRONMENT.PORTRAIT_FARM_PUBLIC_URL.default,
    storageUrl: given.storageUrl ?? file.storageUrl ?? '',
    apiKeys: { ...(file.apiKeys ?? {}), ...keysFile, ...Object.fromEntries(given.apiKeys ?? []) },
    limits: {
      ...(file.limits ?? {}),
      ...defined({
        maxUploadBytes: given.maxUploadBytes,
        maxImagePixels: given.maxImagePixels,
        maxAudioSeconds: given.maxAudioSeconds,
        requestsPerMinute: given.requestsPerMinute,
        jobsPerMinute: given.jobsPerMinute,
        maxConcurrentJobs: given.maxConcurrentJobs,
        maxQueuedJobs: given.maxQueuedJobs,
      }),
    },
    sessions: {
      ...(file.sessions ?? {}),
      ...defined({ maxSeconds: given.sessionMaxSeconds, idleSeconds: given.sessionIdleSeconds, connectSeconds: given.sessionConnectSeconds, perTenant: given.sessionsPerTenant }),
    },
    timeouts: {
      ...(file.timeouts ?? {}),
      ...defined({ headerMs: given.headerTimeoutMs, bodyMs: given.bodyTimeoutMs, idleMs: given.idleTimeoutMs }),
    },
    inputFetch: {
      ...(file.inputFetch ?? {}),
      ...defined({ allowHttp: given.inputAllowHttp, allowLoopback: given.inputAllowLoopback, allowPrivate: given.inputAllowPrivate, timeoutMs: given.inputTimeoutMs }),
    },
    webhookSecrets,
    webhooks: {
      ...(file.webhooks ?? {}),
      ...defined({
        runWorker: given.webhookWorker,
        allowLoopback: given.webhookAllowLoopback,
        allowPrivate: given.webhookAllowPrivate,
        allowHosts: given.webhookAllowHosts,
        concurrency: given.webhookConcurrency,
        retryScheduleMs: given.webhookRetryMs,
      }),
    },
    ...overrides,
  });
  return Object.freeze({ config, port: given.port ?? ENVIRONMENT.PORT.default, host: given.host ?? ENVIRONMENT.HOST.default });
}

/** The resolved GatewayConfig of {@link loadGatewayProcessConfig}, without the listener. */
export function loadGatewayConfig(env: EnvironmentSource = process.env, overrides: Partial<GatewayConfig> = {}): ResolvedGatewayConfig {
  return loadGatewayProcessConfig(env, overrides).config;
}

/** A Redis connection of the gateway, with the configuration's TLS CA, Sentinel or Cluster settings. */
export function openGatewayRedis(config: ResolvedGatewayConfig, role: ConnectionRole, connectionName: string): Redis | Cluster {
  return createRedisClient(config.redisUrl, { role, connectionName, tlsCaFile: config.redisCa, sentinel: config.redisSentinel, clusterNodes: config.redisClusterNodes });
}
