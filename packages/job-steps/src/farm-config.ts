import { ConfigError, ENVIRONMENT, loadConfig } from '@portrait-farm/config';
import type { RenderBackend } from '@portrait-farm/contracts';
import type { EnvironmentSource } from '@portrait-farm/config';
import { usableCores } from '@portrait-farm/process-supervision';
import { deploymentKeyPrefix, resolveRedisSentinel } from '@portrait-farm/queue';
import type { RedisSentinel } from '@portrait-farm/queue';
import { workerThreadSizes } from './worker-thread-sizes.ts';
import type { WorkerThreadSizes } from './worker-thread-sizes.ts';

/**
 * What the worker and stitcher processes run with (startRenderWorkers, startStitcherWorkers): the variables of both
 * roles in @portrait-farm/config (docs/configuration.md), read once at boot and frozen.
 */
export interface FarmProcessConfig {
  readonly redisUrl: string;
  /** A PEM file of the CA of the Redis server's certificate (rediss://), or null for Node's root CAs. */
  readonly redisCa: string | null;
  /** Redis Sentinel's sentinels and master name, or null: the server of redisUrl. */
  readonly redisSentinel: RedisSentinel | null;
  /** Redis Cluster's start nodes (`host:port`), or null: no cluster. */
  readonly redisClusterNodes: readonly string[] | null;
  readonly storageUrl: string;
  /** A PEM file of the CA of an https S3 endpoint's certificate, or null for Node's root CAs. */
  readonly s3Ca: string | null;
  /** Deployment prefix of Redis keys and queues; on a cluster in braces, a hash tag (`{pf}`). */
  readonly prefix: string;
  /** Model pack folder (workers). */
  readonly packDir: string;
  /** onnxruntime execution providers, or null for the engine's default. */
  readonly providers: readonly string[] | null;
  /** The worker's cores, and its render and denoiser threads sized from them (or PORTRAIT_FARM_RENDER_THREADS). */
  readonly threads: WorkerThreadSizes;
  /** How render threads draw frames (PORTRAIT_FARM_RENDERER). */
  readonly renderer: RenderBackend;
  /** Whether the worker warms its engine up before it takes work (PORTRAIT_FARM_WARM_UP). */
  readonly warmUp: boolean;
  readonly prepareConcurrency: number;
  readonly segmentConcurrency: number;
  readonly stitchConcurrency: number;
  /** BullMQ lock of a running step; a step whose process died is retried after it lapses. */
  readonly lockMs: number;
  /** How often each Worker looks for stalled steps. */
  readonly stalledIntervalMs: number;
  readonly tempDir: string;
  /** Tenant -> webhook secrets (stitcher: webhook delivery; more than one while rotating). */
  readonly webhookSecrets: Readonly<Record<string, readonly string[]>>;
  readonly webhookAllowLoopback: boolean;
  readonly webhookAllowPrivate: boolean;
  /** Webhook endpoints (`host:port`) that may be on loopback or private addresses though the flags are off. */
  readonly webhookAllowHosts: readonly string[];
  /** Retry delays of webhook delivery, or null for the default schedule. */
  readonly webhookRetryMs: readonly number[] | null;
  /** Origin clients reach the gateway at, without a trailing slash: the job URLs webhooks carry (stitcher). */
  readonly publicBaseUrl: string;
  /** Signs presigned URLs of filesystem storage (the output URL in job.succeeded webhooks), or null. */
  readonly presignSecret: string | null;
  /** Lifetime of the output URL a webhook carries, in seconds. */
  readonly presignSeconds: number;
  /** How long a succeeded job's chunks (its live stream) stay after the clip's own length has passed, in seconds. */
  readonly liveGraceSeconds: number;
  /** The Ed25519 private key (PEM text or a path) that signs each video's provenance manifest (stitcher), or null. */
  readonly signingKey: string | null;
  /** The key of the invisible watermark the worker embeds in every frame, or null for the watermark's default key. */
  readonly watermarkKey: string | null;
  /** Whether the process serves `GET /metrics` on a port of its own. */
  readonly metricsServer: boolean;
  /** Port of `GET /metrics`; 0: any free one. */
  readonly metricsPort: number;
  /** Address `GET /metrics` listens on. */
  readonly metricsHost: string;
  /** The worker's realtime sessions: how many at once (0: none), and its session server's address. */
  readonly sessions: SessionHostConfig;
  /** What the worker takes: batch render steps, realtime sessions, or both (PORTRAIT_FARM_WORKER_ROLE). */
  readonly workerRole: WorkerRole;
}

export type WorkerRole = 'both' | 'render' | 'sessions';

/** The worker's session server (docs/realtime.md, "Sessions in the farm"). */
export interface SessionHostConfig {
  readonly perWorker: number;
  readonly port: number;
  readonly host: string;
  /** Where the gateways reach it (ws:// or wss://, no path), or null: from the listen address and port. */
  readonly internalUrl: string | null;
  /** Sessions over WebRTC: extra ICE host addresses, and the UDP ports their peers bind (null: any). */
  readonly webrtc: { readonly hostAddresses: readonly string[]; readonly portRange: readonly [number, number] | null };
}

/** PORTRAIT_FARM_WEBRTC_PORTS `first-last` as two ports, or a ConfigError naming what is wrong. */
function webrtcPortRange(text: string | null): readonly [number, number] | null {
  if (text === null) return null;
  const [first, last] = text.split('-').map(Number) as [number, number];
  if (first >= 1024 && first <= last && last <= 65_535) return Object.freeze([first, last] as const);
  const expected = ENVIRONMENT.PORTRAIT_FARM_WEBRTC_PORTS.form.expected;
  const message = `PORTRAIT_FARM_WEBRTC_PORTS must be ${expected}, the first not above the last. Given: "${text}".`;
  throw new ConfigError([{ kind: 'malformed', variable: 'PORTRAIT_FARM_WEBRTC_PORTS', expected, given: text, suggestion: null, message }]);
}

/** What the app supplies where a variable's default depends on where the app is installed. */
export interface FarmAppDefaults {
  /** The pack used when PORTRAIT_FARM_PACK is unset (the app resolves the one it ships). */
  packDir?: string;
  /** The cores this process may use when PORTRAIT_FARM_WORKER_CORES is unset. @defaultValue usableCores() */
  cores?: () => number;
}

/** tenant:secret pairs in the order written -> tenant -> its secrets. */
function secretsByTenant(pairs: ReadonlyArray<readonly [string, string]> | null): Readonly<Record<string, readonly string[]>> {
  const byTenant: Record<string, string[]> = {};
  for (const [tenant, secret] of pairs ?? []) (byTenant[tenant] ??= []).push(secret);
  return Object.freeze(Object.fromEntries(Object.entries(byTenant).map(([tenant, secrets]) => [tenant, Object.freeze(secrets)])));
}

/**
 * Reads the worker's and the stitcher's variables from `env` once (see @portrait-farm/config for every name, form and
 * default). Throws ConfigError naming each malformed, missing or unknown variable, what it expects and what was given.
 */
export function loadFarmConfig(env: EnvironmentSource = process.env, appDefaults: FarmAppDefaults = {}): FarmProcessConfig {
  const settings = loadConfig(['worker', 'stitcher'], env);
  const packDir = settings.packDir ?? appDefaults.packDir ?? null;
  if (packDir === null) {
    const expected = ENVIRONMENT.PORTRAIT_FARM_PACK.form.expected;
    const message = `PORTRAIT_FARM_PACK must be ${expected}. Given: nothing (and the process names no pack of its own).`;
    throw new ConfigError([{ kind: 'missing', variable: 'PORTRAIT_FARM_PACK', expected, given: null, suggestion: null, message }]);
  }
  if (settings.workerRole === 'sessions' && settings.sessionsPerWorker === 0) {
    const given = String(settings.sessionsPerWorker);
    const message = `PORTRAIT_FARM_SESSIONS_PER_WORKER must be above 0 when PORTRAIT_FARM_WORKER_ROLE is sessions (a worker that hosts only sessions must host some). Given: ${given}.`;
    throw new ConfigError([{ kind: 'malformed', variable: 'PORTRAIT_FARM_SESSIONS_PER_WORKER', expected: 'an integer from 1 to 64', given, suggestion: null, message }]);
  }
  return Object.freeze({
    redisUrl: settings.redisUrl,
    redisCa: settings.redisCa,
    redisSentinel: resolveRedisSentinel({ sentinels: settings.redisSentinels, masterName: settings.redisSentinelMaster, password: settings.redisSentinelPassword }),
    redisClusterNodes: settings.redisClusterNodes,
    storageUrl: settings.storageUrl,
    s3Ca: settings.s3Ca,
    prefix: deploymentKeyPrefix(settings.prefix, settings.redisClusterNodes),
    packDir,
    providers: settings.providers,
    threads: workerThreadSizes({
      cores: settings.workerCores ?? (appDefaults.cores ?? usableCores)(),
      segmentConcurrency: settings.segmentConcurrency,
      renderThreads: settings.renderThreads,
    }),
    renderer: settings.renderer,
    warmUp: settings.warmUp,
    prepareConcurrency: settings.prepareConcurrency,
    segmentConcurrency: settings.segmentConcurrency,
    stitchConcurrency: settings.stitchConcurrency,
    lockMs: settings.lockMs,
    stalledIntervalMs: settings.stalledIntervalMs,
    tempDir: settings.tempDir,
    webhookSecrets: secretsByTenant(settings.webhookSecrets),
    webhookAllowLoopback: settings.webhookAllowLoopback,
    webhookAllowPrivate: settings.webhookAllowPrivate,
    webhookAllowHosts: settings.webhookAllowHosts ?? [],
    webhookRetryMs: settings.webhookRetryMs,
    publicBaseUrl: new URL(settings.publicBaseUrl).href.replace(/\/+$/, ''),
    presignSecret: settings.presignSecret,
    presignSeconds: settings.presignSeconds,
    liveGraceSeconds: settings.liveGraceSeconds,
    signingKey: settings.signingKey,
    watermarkKey: settings.watermarkKey,
    metricsServer: settings.metricsServer,
    metricsPort: settings.metricsPort,
    metricsHost: settings.metricsHost,
    workerRole: settings.workerRole,
    sessions: Object.freeze({
      // A render-only worker hosts none, whatever PORTRAIT_FARM_SESSIONS_PER_WORKER says.
      perWorker: settings.workerRole === 'render' ? 0 : settings.sessionsPerWorker,
      port: settings.sessionPort,
      host: settings.sessionHost,
      internalUrl: settings.sessionInternalUrl === null ? null : settings.sessionInternalUrl.replace(/\/+$/, ''),
      webrtc: Object.freeze({ hostAddresses: settings.webrtcHostAddresses ?? [], portRange: webrtcPortRange(settings.webrtcPorts) }),
    }),
  });
}
