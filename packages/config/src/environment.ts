import { tmpdir } from 'node:os';
import { RENDER_BACKENDS } from '@portrait-farm/contracts';
import { EXECUTION_PROVIDERS } from '@portrait-farm/model-runtime';
import { DEFAULT_RETRY_SCHEDULE_MS, parseSecret } from '@portrait-farm/webhooks';
import { flag, integer, list, oneOf, path, secret, storageLocation, tenantPairs, text, url } from './value-forms.ts';
import { variable } from './variable.ts';

/** Tenant ids: no ':', which is what lets `tenant:secret` and `key:tenant` lists split unambiguously. */
export const TENANT_ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
export const TENANT_ID_RULE = 'must be 1-64 letters, digits, ".", "_" or "-"';
/** API keys are at least this long. */
export const API_KEY_MIN_LENGTH = 8;

export function tenantIdProblem(tenant: string): string | null {
  return TENANT_ID_PATTERN.test(tenant) ? null : TENANT_ID_RULE;
}

export function apiKeyProblem(key: string): string | null {
  return key.length >= API_KEY_MIN_LENGTH ? null : `the key must be at least ${API_KEY_MIN_LENGTH} characters (it has ${key.length})`;
}

/** A comma list of `host:port` (an IPv6 address in brackets): webhook hosts, Redis sentinels and cluster nodes. */
function hostPortList() {
  return list(text(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'host:port'), { expected: 'a comma list of host:port (IPv6 in brackets)' });
}

/** Why a webhook secret is refused (its length or encoding, never its text), or null. */
export function webhookSecretProblem(value: string): string | null {
  try {
    parseSecret(value);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Milliseconds as the table shows them: 5 s, 2 min, 8 h. */
function duration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

const FARM = ['gateway', 'worker', 'stitcher'] as const;

/**
 * Every environment variable of the farm, once: its form, default, the roles that read it, one line for the table
 * (docs/configuration.md, generated from this). An empty value counts as unset. A PORTRAIT_FARM_* variable that is not
 * here is refused at start-up, with the closest name.
 */
export const ENVIRONMENT = Object.freeze({
  // Shared by the farm's processes
  PORTRAIT_FARM_REDIS_URL: variable(url(['redis:', 'rediss:']), {
    key: 'redisUrl',
    readBy: FARM,
    default: 'redis://127.0.0.1:6379',
    description: 'Redis holding the job records and queues (a password in the URL is never printed).',
  }),
  PORTRAIT_FARM_REDIS_CA: variable(path('file'), {
    key: 'redisCa',
    readBy: FARM,
    unset: "Node's root CAs",
    description: "A PEM file of the CA that signed the Redis server's certificate (a private CA; rediss:// URLs only), trusted beside Node's root CAs.",
  }),
  PORTRAIT_FARM_REDIS_SENTINELS: variable(hostPortList(), {
    key: 'redisSentinels',
    readBy: FARM,
    unset: 'none: PORTRAIT_FARM_REDIS_URL names the Redis server',
    description:
      'Redis Sentinel: the sentinels asked for the current primary (followed through failovers); PORTRAIT_FARM_REDIS_URL then gives only its password, database and TLS, not its host.',
  }),
  PORTRAIT_FARM_REDIS_SENTINEL_MASTER: variable(text(/^[A-Za-z0-9._-]{1,128}$/, '1-128 letters, digits, ".", "_" or "-"'), {
    key: 'redisSentinelMaster',
    readBy: FARM,
    unset: 'none (required with PORTRAIT_FARM_REDIS_SENTINELS)',
    description: 'The name the sentinels monitor the primary under (`sentinel monitor <name> ...`).',
  }),
  PORTRAIT_FARM_REDIS_SENTINEL_PASSWORD: variable(secret(1), {
    key: 'redisSentinelPassword',
    readBy: FARM,
    unset: 'none: the sentinels need no password',
    description: "The sentinels' own password (their `requirepass`); the primary's is in PORTRAIT_FARM_REDIS_URL.",
  }),
  PORTRAIT_FARM_REDIS_CLUSTER_NODES: variable(hostPortList(), {
    key: 'redisClusterNodes',
    readBy: FARM,
    unset: 'none: PORTRAIT_FARM_REDIS_URL (or the sentinels) names the Redis server',
    description:
      'Redis Cluster: some of its nodes (the others are learned); the keys then take the prefix in a hash tag ({pf}), one slot per deployment, and PORTRAIT_FARM_REDIS_URL gives only the password and TLS.',
  }),
  PORTRAIT_FARM_S3_CA: variable(path('file'), {
    key: 's3Ca',
    readBy: FARM,
    unset: "Node's root CAs",
    description: "A PEM file of the CA that signed an https S3 endpoint's certificate (a private CA), trusted by the S3 client alone (webhooks and input downloads keep Node's root CAs).",
  }),
  PORTRAIT_FARM_STORAGE_URL: variable(storageLocation(), {
    key: 'storageUrl',
    readBy: FARM,
    requiredBy: ['worker', 'stitcher'],
    unset: 'required (the gateway also takes `storageUrl` from PORTRAIT_FARM_CONFIG)',
    description: 'Where inputs, chunks and results are stored; S3 takes credentials from the URL or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.',
  }),
  PORTRAIT_FARM_PREFIX: variable(text(/^[A-Za-z0-9_-]{1,64}$/, '1-64 letters, digits, "-" or "_"'), {
    key: 'prefix',
    readBy: FARM,
    default: 'pf',
    description: 'Deployment prefix of Redis keys and queues: farms that share one Redis need different ones.',
  }),
  PORTRAIT_FARM_WEBHOOK_SECRETS: variable(
    tenantPairs({
      tenantSide: 'left',
      tenantCheck: tenantIdProblem,
      other: { name: 'whsec_<base64>', check: webhookSecretProblem, secret: true },
      uniqueOther: false,
      note: '(16-128 bytes; split at the first ":")',
    }),
    {
      key: 'webhookSecrets',
      readBy: ['gateway', 'stitcher'],
      unset: 'none: no tenant gets webhooks',
      description: "Each tenant's webhook signing secret (Standard Webhooks); a tenant listed twice signs with both while rotating.",
    },
  ),
  PORTRAIT_FARM_WEBHOOK_ALLOW_LOOPBACK: variable(flag(), {
    key: 'webhookAllowLoopback',
    readBy: ['gateway', 'stitcher', 'local-farm'],
    default: false,
    description: 'Deliver webhooks to every loopback address (tests); prefer naming receivers in PORTRAIT_FARM_WEBHOOK_ALLOW_HOSTS.',
  }),
  PORTRAIT_FARM_WEBHOOK_ALLOW_PRIVATE: variable(flag(), {
    key: 'webhookAllowPrivate',
    readBy: ['gateway', 'stitcher', 'local-farm'],
    default: false,
    description: 'Deliver webhooks to private addresses (receivers inside the cluster).',
  }),
  PORTRAIT_FARM_WEBHOOK_ALLOW_HOSTS: variable(
    hostPortList(),
    {
      key: 'webhookAllowHosts',
      readBy: ['gateway', 'stitcher', 'local-farm'],
      unset: 'none',
      description:
        'Webhook endpoints (host:port as written in the URL) that may be on loopback or private addresses though the ALLOW_LOOPBACK and ALLOW_PRIVATE flags are off (the local farm names its demo receiver); link-local and metadata addresses stay refused.',
    },
  ),
  PORTRAIT_FARM_WEBHOOK_RETRY_MS: variable(list(integer(0, 604_800_000), { expected: 'a comma list of delays in whole milliseconds, 0 to 604800000 each' }), {
    key: 'webhookRetryMs',
    readBy: ['gateway', 'stitcher'],
    unset: `${DEFAULT_RETRY_SCHEDULE_MS.map(duration).join(', ')}, each ±20 %`,
    description: 'Delay before each retry of a failed webhook delivery; the delivery is given up after the last.',
  }),
  PORTRAIT_FARM_TEMP_DIR: variable(path('folder'), {
    key: 'tempDir',
    readBy: ['worker', 'stitcher'],
    computedDefault: { text: 'the OS temp folder', compute: tmpdir },
    description: 'Where running steps write their work files (a folder per process, removed when it stops).',
  }),

  // The gateway
  PORTRAIT_FARM_CONFIG: variable(path('file'), {
    key: 'configFile',
    readBy: ['gateway'],
    unset: 'none',
    description: "A JSON file holding a GatewayConfig (apps/gateway/src/config.ts); the variables override its fields.",
  }),
  PORTRAIT_FARM_PUBLIC_URL: variable(url(['http:', 'https:']), {
    key: 'publicBaseUrl',
    readBy: ['gateway', 'stitcher'],
    default: 'http://127.0.0.1:8080',
    description: 'Origin clients reach the gateway at, used in job URLs and presigned file URLs (the stitcher puts them in webhooks).',
  }),
  PORTRAIT_FARM_API_KEYS: variable(
    tenantPairs({
      tenantSide: 'right',
      tenantCheck: tenantIdProblem,
      other: { name: 'key', check: apiKeyProblem, secret: true },
      uniqueOther: true,
      note: `(keys of ${API_KEY_MIN_LENGTH}+ characters; split at the last ":")`,
    }),
    {
      key: 'apiKeys',
      readBy: ['gateway', 'local-farm'],
      unset: 'none (the gateway needs a key from here, PORTRAIT_FARM_API_KEYS_FILE or PORTRAIT_FARM_CONFIG)',
      description: 'API keys and their tenants; the local farm serves every one, beside its own key of tenant "local".',
    },
  ),
  PORTRAIT_FARM_API_KEYS_FILE: variable(path('file'), {
    key: 'apiKeysFile',
    readBy: ['gateway'],
    unset: 'none',
    description: 'A JSON file `{"key": "tenant"}`, merged under PORTRAIT_FARM_API_KEYS.',
  }),
  PORTRAIT_FARM_PRESIGN_SECRET: variable(secret(16), {
    key: 'presignSecret',
    readBy: ['gateway', 'stitcher'],
    unset: 'none (required with filesystem storage)',
    description: 'Signs the presigned file URLs of filesystem storage (S3 presigns its own); the gateway and the stitcher share it.',
  }),
  PORTRAIT_FARM_MAX_UPLOAD_BYTES: variable(integer(1024, 2 ** 40), {
    key: 'maxUploadBytes',
    readBy: ['gateway'],
    default: 52_428_800,
    description: 'Largest upload (image + audio) or fetched input, in bytes.',
  }),
  PORTRAIT_FARM_HEADER_TIMEOUT_MS: variable(integer(100, 600_000), {
    key: 'headerTimeoutMs',
    readBy: ['gateway'],
    default: 10_000,
    description: "Time a client has to send a request's line and headers, in milliseconds; a slower one gets 408 and its connection is closed.",
  }),
  PORTRAIT_FARM_BODY_TIMEOUT_MS: variable(integer(100, 3_600_000), {
    key: 'bodyTimeoutMs',
    readBy: ['gateway'],
    default: 60_000,
    description:
      'Time a client has to send a whole request, headers and body, in milliseconds (at least the header timeout; the largest upload must fit: 50 MB in 60 s needs 7 Mbit/s); a slower one gets 408, its connection is closed and its spooled upload removed.',
  }),
  PORTRAIT_FARM_IDLE_TIMEOUT_MS: variable(integer(100, 600_000), {
    key: 'idleTimeoutMs',
    readBy: ['gateway'],
    default: 10_000,
    description:
      "Longest silence while a request's body arrives (after its headers, before its last byte), in milliseconds; a client that stops sending gets 408 and its connection is closed. Slow headers meet the header timeout; idle keep-alive connections close after 72 s.",
  }),
  PORTRAIT_FARM_MAX_IMAGE_PIXELS: variable(integer(1, 2 ** 31), {
    key: 'maxImagePixels',
    readBy: ['gateway'],
    default: 40_000_000,
    description: 'Most pixels (width x height) of an input image.',
  }),
  PORTRAIT_FARM_MAX_AUDIO_SECONDS: variable(integer(1, 86_400), {
    key: 'maxAudioSeconds',
    readBy: ['gateway'],
    default: 600,
    description: 'Longest input audio, in seconds.',
  }),
  PORTRAIT_FARM_REQUESTS_PER_MINUTE: variable(integer(1, 1_000_000), {
    key: 'requestsPerMinute',
    readBy: ['gateway'],
    default: 600,
    description: 'Authenticated requests per tenant per minute.',
  }),
  PORTRAIT_FARM_JOBS_PER_MINUTE: variable(integer(1, 1_000_000), {
    key: 'jobsPerMinute',
    readBy: ['gateway'],
    default: 60,
    description: 'Jobs a tenant may create per minute.',
  }),
  PORTRAIT_FARM_MAX_CONCURRENT_JOBS: variable(integer(1, 100_000), {
    key: 'maxConcurrentJobs',
    readBy: ['gateway'],
    default: 10,
    description: 'Jobs per tenant in the farm at once (queued for a worker or running); more are held, status queued, until one ends.',
  }),
  PORTRAIT_FARM_MAX_QUEUED_JOBS: variable(integer(0, 1_000_000), {
    key: 'maxQueuedJobs',
    readBy: ['gateway'],
    default: 1000,
    description: 'Jobs per tenant held beyond PORTRAIT_FARM_MAX_CONCURRENT_JOBS (released in priority, then arrival order); one more is refused with 429 GATEWAY_QUEUE_FULL. 0 holds none.',
  }),
  PORTRAIT_FARM_INPUT_ALLOW_HTTP: variable(flag(), {
    key: 'inputAllowHttp',
    readBy: ['gateway'],
    default: false,
    description: 'Accept plain http:// input and webhook URLs, not only https:// (local use, tests).',
  }),
  PORTRAIT_FARM_INPUT_ALLOW_LOOPBACK: variable(flag(), {
    key: 'inputAllowLoopback',
    readBy: ['gateway'],
    default: false,
    description: 'Download inputs from loopback addresses (local use, tests).',
  }),
  PORTRAIT_FARM_INPUT_ALLOW_PRIVATE: variable(flag(), {
    key: 'inputAllowPrivate',
    readBy: ['gateway'],
    default: false,
    description: 'Download inputs from private addresses (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7).',
  }),
  PORTRAIT_FARM_INPUT_TIMEOUT_MS: variable(integer(100, 600_000), {
    key: 'inputTimeoutMs',
    readBy: ['gateway'],
    default: 30_000,
    description: 'Time allowed for downloading one input, in milliseconds.',
  }),
  PORTRAIT_FARM_IDEMPOTENCY_TTL_SECONDS: variable(integer(60, 2_592_000), {
    key: 'idempotencyTtlSeconds',
    readBy: ['gateway'],
    default: 86_400,
    description: 'How long an Idempotency-Key is remembered, in seconds.',
  }),
  PORTRAIT_FARM_PRESIGN_SECONDS: variable(integer(60, 604_800), {
    key: 'presignSeconds',
    readBy: ['gateway', 'stitcher'],
    default: 3600,
    description: 'Lifetime of presigned result and chunk URLs (and of the download URL in job.succeeded webhooks), in seconds.',
  }),
  PORTRAIT_FARM_RETENTION_DAYS: variable(integer(0, 36_500), {
    key: 'retentionDays',
    readBy: ['gateway'],
    default: 30,
    description:
      "Days after which a finished (succeeded, failed or canceled) job's inputs, output and record are removed, swept hourly; 0 keeps them until DELETE /v1/jobs/{id}.",
  }),
  PORTRAIT_FARM_WEBHOOK_WORKER: variable(flag(), {
    key: 'webhookWorker',
    readBy: ['gateway'],
    default: false,
    description: 'Deliver webhooks from the gateway process too (small deployments; the stitcher always does).',
  }),
  PORTRAIT_FARM_WEBHOOK_CONCURRENCY: variable(integer(1, 256), {
    key: 'webhookConcurrency',
    readBy: ['gateway'],
    default: 8,
    description: "Webhook deliveries in flight at once in the gateway's delivery worker.",
  }),
  PORT: variable(integer(0, 65_535), {
    key: 'port',
    readBy: ['gateway'],
    default: 8080,
    description: 'Port the gateway listens on (0: any free port).',
  }),
  HOST: variable(text(/^\S+$/, 'a host name or IP address'), {
    key: 'host',
    readBy: ['gateway'],
    default: '0.0.0.0',
    description: 'Address the gateway listens on.',
  }),

  // The worker and the stitcher
  PORTRAIT_FARM_PACK: variable(path('folder'), {
    key: 'packDir',
    readBy: ['gateway', 'worker', 'local-farm'],
    unset: 'the starter pack the app ships (models/starter)',
    description: "Model pack the workers render with; the gateway checks each portrait's face at create with its face models.",
  }),
  PORTRAIT_FARM_SIGNING_KEY: variable(secret(16), {
    key: 'signingKey',
    readBy: ['gateway', 'stitcher'],
    unset: 'none (videos are not signed and GET /v1/signing-key answers 404; the local farm makes one in its data folder)',
    description:
      'The Ed25519 private key (PKCS#8 PEM text, or the path of a file holding it) that signs the provenance manifest of every video (the stitcher); the gateway serves its public key and verifies with it.',
  }),
  PORTRAIT_FARM_WATERMARK_KEY: variable(secret(16), {
    key: 'watermarkKey',
    readBy: ['worker', 'gateway', 'cli'],
    unset: "the watermark package's public default key (set your own: whoever holds the key can detect the mark and could try to remove it)",
    description:
      'The key of the invisible watermark the worker embeds in every frame of every job (payload: a hash of the job id, tenant, pack version and date); detection needs the same key (read by the gateway for POST /v1/verify, by `portrait-farm verify` unless --watermark-key is given, and by `portrait-farm render`, which embeds with it).',
  }),
  PORTRAIT_FARM_OPERATOR_KEY: variable(secret(16), {
    key: 'operatorKey',
    readBy: ['gateway', 'local-farm'],
    unset: 'none (the ops dashboard and the operator routes answer 404; the local farm makes one in its data folder)',
    description:
      'The operator key (16+ characters) that opens the ops dashboard (/dashboard), the operator routes (/v1/ops/...) and GET /v1/queue/depth, the number an autoscaler reads; sent as `Authorization: Bearer <key>`. Tenant API keys do not open them.',
  }),
  PORTRAIT_FARM_REQUIRE_LABEL: variable(flag(), {
    key: 'requireLabel',
    readBy: ['gateway'],
    default: false,
    description: 'Make the visible "AI-GENERATED" label mandatory: every job gets options.label true, and a job asking for label false is refused with a 422.',
  }),
  PORTRAIT_FARM_FACE_CHECK: variable(flag(), {
    key: 'faceCheck',
    readBy: ['gateway'],
    default: true,
    description:
      "Find the portrait's face at create (the pack's face models, on the CPU, in inference threads) and refuse no face, several faces of similar size without options.faceIndex or options.faceBox, and a face under 48 pixels wide with a 422; false leaves these to the worker.",
  }),
  PORTRAIT_FARM_PROVIDERS: variable(list(oneOf(EXECUTION_PROVIDERS), { expected: `a comma list of ${EXECUTION_PROVIDERS.join(', ')}, or auto`, auto: { word: 'auto', value: EXECUTION_PROVIDERS } }), {
    key: 'providers',
    readBy: ['worker'],
    unset: `${EXECUTION_PROVIDERS.join(',')}, the first that loads`,
    description: 'onnxruntime execution providers to try, in order.',
  }),
  PORTRAIT_FARM_WORKER_CORES: variable(integer(1, 1024), {
    key: 'workerCores',
    readBy: ['worker'],
    unset: "the cores the process may use: its container's CPU quota (cgroup v2 cpu.max) or else the CPUs it may run on; `portrait-farm up` gives each of N workers its share of the machine's",
    description:
      "CPU cores one worker process may use: its render threads (unless PORTRAIT_FARM_RENDER_THREADS is set) and the denoiser's onnxruntime intra-op threads (its cores over PORTRAIT_FARM_SEGMENT_CONCURRENCY, at least 1) are sized from them.",
  }),
  PORTRAIT_FARM_RENDER_THREADS: variable(integer(1, 32), {
    key: 'renderThreads',
    readBy: ['worker'],
    unset: "the worker's cores (PORTRAIT_FARM_WORKER_CORES) but one, at least 1 and at most 32",
    description: 'Threads rendering frames in a worker process, shared by its segments (two segments already overlap).',
  }),
  PORTRAIT_FARM_RENDERER: variable(oneOf(RENDER_BACKENDS), {
    key: 'renderer',
    readBy: ['worker'],
    default: 'cpu',
    description:
      "How render threads draw frames: cpu (the TypeScript renderer) or onnx-graph (the warp as an ONNX graph on PORTRAIT_FARM_PROVIDERS' first provider that loads, a GPU's with cuda; frames within two levels of cpu's, so a farm of onnx-graph workers is not byte-identical to a cpu render).",
  }),
  PORTRAIT_FARM_WARM_UP: variable(flag(), {
    key: 'warmUp',
    readBy: ['worker'],
    default: true,
    description:
      'Once started, while idle, run a drawn 3 s clip through the engine and the render threads, so that its first job does not pay for the first runs (about 1.5 to 2 s on 2 cores; the first step or realtime session it takes stops it; docs/performance.md, "Warm-up"); 0 turns it off.',
  }),
  PORTRAIT_FARM_PREPARE_CONCURRENCY: variable(integer(1, 64), {
    key: 'prepareConcurrency',
    readBy: ['worker'],
    default: 1,
    description: 'Prepare steps (face, audio features) a worker runs at once.',
  }),
  PORTRAIT_FARM_SEGMENT_CONCURRENCY: variable(integer(1, 64), {
    key: 'segmentConcurrency',
    readBy: ['worker'],
    default: 2,
    description: "Segment steps a worker runs at once: one segment's features and motion run while the other renders.",
  }),
  PORTRAIT_FARM_LIVE_GRACE_SECONDS: variable(integer(0, 604_800), {
    key: 'liveGraceSeconds',
    readBy: ['stitcher'],
    default: 300,
    description:
      "How long a succeeded job's live stream (its HLS chunks) stays after the clip's own length has passed since success, for players still reading it; then the chunks are removed.",
  }),
  PORTRAIT_FARM_STITCH_CONCURRENCY: variable(integer(1, 64), {
    key: 'stitchConcurrency',
    readBy: ['stitcher'],
    default: 2,
    description: 'Stitch steps, and audio steps, the stitcher runs at once (each).',
  }),
  PORTRAIT_FARM_LOCK_MS: variable(integer(1000, 3_600_000), {
    key: 'lockMs',
    readBy: ['worker', 'stitcher'],
    default: 30_000,
    description: 'Lock of a running step, renewed while it runs: the step of a process that died is retried once it lapses.',
  }),
  PORTRAIT_FARM_STALLED_INTERVAL_MS: variable(integer(500, 3_600_000), {
    key: 'stalledIntervalMs',
    readBy: ['worker', 'stitcher'],
    default: 30_000,
    description: 'How often a process looks for steps whose lock lapsed.',
  }),
  PORTRAIT_FARM_METRICS: variable(flag(), {
    key: 'metricsServer',
    readBy: ['worker', 'stitcher'],
    default: true,
    description: 'Serve Prometheus metrics (`GET /metrics`) on a port of its own (the gateway serves them on its API port); 0 turns it off.',
  }),
  PORTRAIT_FARM_METRICS_PORT: variable(integer(0, 65_535), {
    key: 'metricsPort',
    readBy: ['worker', 'stitcher'],
    default: 9464,
    description:
      'Port of `GET /metrics` (0: any free one, logged as `metricsUrl` in the "metrics listening" line). `portrait-farm up` gives each worker and the stitcher 0, so several on one machine never collide.',
  }),
  PORTRAIT_FARM_METRICS_HOST: variable(text(/^\S+$/, 'a host name or IP address'), {
    key: 'metricsHost',
    readBy: ['worker', 'stitcher'],
    default: '0.0.0.0',
    description: 'Address `GET /metrics` listens on (`portrait-farm up`: 127.0.0.1).',
  }),

  // Realtime sessions (docs/realtime.md, "Sessions in the farm")
  PORTRAIT_FARM_SESSIONS_PER_WORKER: variable(integer(0, 64), {
    key: 'sessionsPerWorker',
    readBy: ['worker'],
    default: 1,
    description:
      'Realtime sessions a worker runs at once beside its batch steps (0: it hosts none and opens no session port). One session at 512x512 and 25 fps costs about 0.65 CPU-s per second of stream (docs/realtime.md, "Sessions in the farm"): one per 2-core worker leaves its batch segments the rest; a worker with PORTRAIT_FARM_WORKER_ROLE=sessions on 2 cores carries 2.',
  }),
  PORTRAIT_FARM_WORKER_ROLE: variable(oneOf(['both', 'render', 'sessions']), {
    key: 'workerRole',
    readBy: ['worker'],
    default: 'both',
    description:
      'What a worker takes: `both` batch render steps (prepare, segment) and realtime sessions; `render` only the steps (it hosts no session, whatever PORTRAIT_FARM_SESSIONS_PER_WORKER says); `sessions` only sessions (it takes no step, so batch jobs never make its sessions late; PORTRAIT_FARM_SESSIONS_PER_WORKER must be above 0).',
  }),
  PORTRAIT_FARM_SESSIONS_PER_TENANT: variable(integer(0, 10_000), {
    key: 'sessionsPerTenant',
    readBy: ['gateway'],
    default: 0,
    description:
      'Most realtime sessions one tenant may have waiting or streaming at once (0: no limit); one more is refused 429 GATEWAY_SESSION_LIMIT with Retry-After. Checked in the same Redis script that places the session, so concurrent creates on several gateways never pass it.',
  }),
  PORTRAIT_FARM_SESSION_PORT: variable(integer(0, 65_535), {
    key: 'sessionPort',
    readBy: ['worker'],
    default: 0,
    description:
      "Port of the worker's session server (WebSocket upgrades at /v1/sessions/{id}/stream); 0: any free one, which the stream URLs name (several workers on one machine never collide). Set one where a network policy or PORTRAIT_FARM_SESSION_INTERNAL_URL needs it fixed.",
  }),
  PORTRAIT_FARM_SESSION_HOST: variable(text(/^\S+$/, 'a host name or IP address'), {
    key: 'sessionHost',
    readBy: ['worker'],
    default: '0.0.0.0',
    description: 'Address the session server listens on (`portrait-farm up`: 127.0.0.1).',
  }),
  PORTRAIT_FARM_SESSION_INTERNAL_URL: variable(url(['ws:', 'wss:']), {
    key: 'sessionInternalUrl',
    readBy: ['worker'],
    unset: "ws://{the listen address, or this machine's host name when it listens on every address}:{the port}",
    description:
      "Where the gateways reach this worker's session server (ws:// or wss://, no path), recorded with each session placed here: a gateway forwards the session's stream (GET /v1/sessions/{id}/stream on the gateway) to it. On Kubernetes the pod's IP (downward API); in docker-compose the default, the container's host name.",
  }),
  PORTRAIT_FARM_WEBRTC_HOST_ADDRESSES: variable(list(text(/^[0-9A-Fa-f:.]+$/, 'an IP address'), { expected: 'a comma list of IP addresses' }), {
    key: 'webrtcHostAddresses',
    readBy: ['worker'],
    unset: "none: the machine's own interface addresses",
    description:
      "Addresses a realtime session over WebRTC (transport=webrtc, Node.js >= 22) offers the browser as ICE host candidates besides the machine's interfaces: the public address of a worker behind 1:1 NAT, 127.0.0.1 for a browser on the same machine. The media goes from the worker straight to the browser over UDP, not through the gateway; no TURN server is included (docs/realtime.md, \"WebRTC\").",
  }),
  PORTRAIT_FARM_WEBRTC_PORTS: variable(text(/^\d{4,5}-\d{4,5}$/, 'first-last, two UDP ports from 1024 to 65535 (e.g. 40000-40099)'), {
    key: 'webrtcPorts',
    readBy: ['worker'],
    unset: 'any free UDP port',
    description: 'The UDP ports the WebRTC sessions of a worker bind (one per session), for a firewall to open: first-last, inclusive.',
  }),
  PORTRAIT_FARM_SESSION_MAX_SECONDS: variable(integer(10, 86_400), {
    key: 'sessionMaxSeconds',
    readBy: ['gateway'],
    default: 3600,
    description: 'Longest realtime session (its maxDurationSeconds, which defaults to this); the session ends with max_duration.',
  }),
  PORTRAIT_FARM_SESSION_IDLE_SECONDS: variable(integer(1, 3600), {
    key: 'sessionIdleSeconds',
    readBy: ['gateway'],
    default: 60,
    description: "A realtime session's idleTimeoutSeconds when the request gives none: it ends (idle_timeout) after the client sent nothing for this long. A request may ask for 1 up to PORTRAIT_FARM_SESSION_MAX_SECONDS.",
  }),
  PORTRAIT_FARM_SESSION_CONNECT_SECONDS: variable(integer(1, 3600), {
    key: 'sessionConnectSeconds',
    readBy: ['gateway'],
    default: 30,
    description: "How long a created session's stream token is good for: a client that has not connected by then finds the session ended (not_connected), and its worker's slot is free again.",
  }),

  // The local farm and the tests
  PORTRAIT_FARM_VERBOSE: variable(flag(), {
    key: 'verbose',
    readBy: ['local-farm'],
    default: false,
    description: "`portrait-farm up` and `demo`: also print every line the farm's processes log, as `--verbose` does (they are in DATA_DIR/logs either way).",
  }),
  PORTRAIT_FARM_PARITY_DIR: variable(path('folder'), {
    key: 'parityDir',
    readBy: ['tests'],
    unset: 'the committed starter pack',
    description: "An exported pack for packages/motion's parity test to check instead.",
  }),
});

export type Environment = typeof ENVIRONMENT;
