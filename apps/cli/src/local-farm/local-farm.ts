import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ENVIRONMENT, loadConfig } from '@portrait-farm/config';
import { assertPortFree, freePort, startProcessGuard, superviseProcess } from '@portrait-farm/process-supervision';
import type { ProcessGuard, SupervisedProcess, SuperviseOptions } from '@portrait-farm/process-supervision';
import { appNodeArgs, INSTALL_ROOT, LOCAL_FARM_DATA_DIR } from '../install-paths.ts';
import type { FarmApp } from '../install-paths.ts';
import { openFarmLogs } from './farm-logs.ts';
import type { FarmLogs } from './farm-logs.ts';
import { gatewayEnvironment } from './gateway-environment.ts';
import { describePortHolder, gatewayAnswers } from './gateway-readiness.ts';
import { claimDataDir, loadCredentials, loadOperatorKeyFile, loadSigningKeyFile } from './local-farm-state.ts';
import type { LocalFarmCredentials } from './local-farm-state.ts';
import { startOwnRedis } from './own-redis.ts';
import { renderWorkReader } from './render-work-reader.ts';
import { startWorkerAutoscaler } from './worker-autoscaler.ts';
import type { WorkerAutoscaler } from './worker-autoscaler.ts';
import { createWorkerPool } from './worker-pool.ts';
import { workerCoresSetting } from './worker-cores.ts';
import { resolveWorkerScaling } from './worker-scaling.ts';
import type { WorkerScaling, WorkerScalingOptions } from './worker-scaling.ts';

/**
 * Options of {@link startLocalFarm}. Workers (worker-scaling.ts): `workers` fixes their number (default 1); `workersMin`
 * and `workersMax` let the farm start workers while render work waits and stop them after `scaleDownAfterMs` with less.
 */
export interface LocalFarmOptions extends WorkerScalingOptions {
  /** Gateway port; 0 picks a free one. @defaultValue 8080 */
  port?: number;
  /** Storage URL. @defaultValue `{dataDir}/storage` */
  storageUrl?: string;
  /** An existing Redis; without it the farm starts its own redis-server on 127.0.0.1. */
  redisUrl?: string;
  /**
   * Where the farm keeps what outlives a run: its own Redis (append-only file), storage and credentials (API key,
   * webhook and presign secrets), so that a restarted farm finishes the jobs it had accepted and its clients keep
   * their key. One farm at a time per folder. @defaultValue `.cache/farm` under the install (LOCAL_FARM_DATA_DIR)
   */
  dataDir?: string;
  /** Model pack of the workers. @defaultValue PORTRAIT_FARM_PACK or models/starter */
  packDir?: string;
  /**
   * The API key the farm names first (`apiKey`, `tenant`), of tenant "local". Every key works: this one, each
   * `key:tenant` of PORTRAIT_FARM_API_KEYS (one tenant each) and the data folder's own key (tenant "local").
   * @defaultValue the first `key:tenant` of PORTRAIT_FARM_API_KEYS, else the data folder's
   */
  apiKey?: string;
  /**
   * Webhook endpoints (`host:port`) the stitcher may POST to on loopback or private addresses, e.g. a receiver on this
   * machine. No other loopback or private address gets webhooks (the farm's Redis and gateway among them), unless
   * PORTRAIT_FARM_WEBHOOK_ALLOW_LOOPBACK or _PRIVATE is set. @defaultValue PORTRAIT_FARM_WEBHOOK_ALLOW_HOSTS's (none)
   */
  webhookAllowHosts?: readonly string[];
  /** Deployment prefix of Redis keys. @defaultValue "pf" */
  prefix?: string;
  /**
   * More environment over this process's (tuning: lock times, webhook retry schedule, limits) for workers and
   * stitcher, and for the gateway the variables it reads but the farm does not set itself (gateway-environment.ts).
   */
  env?: Readonly<Record<string, string>>;
  /**
   * Lines for a person to follow: one per job event the processes log (accepted, prepared, segment rendered,
   * succeeded, failed, canceled, step retried), the errors they log, and each process that exits on its own (and is
   * restarted). Everything the processes print goes to their log files (`logDir`). @defaultValue none
   */
  log?: (line: string) => void;
  /** Also gives `log` every line of every process, as `[name] line`. @defaultValue PORTRAIT_FARM_VERBOSE's (false) */
  verbose?: boolean;
  /** Where each process's output is appended: gateway.log, worker-1.log, ..., stitcher.log, redis.log. @defaultValue `{dataDir}/logs` */
  logDir?: string;
  /** How long each process gets to stop after SIGTERM before SIGKILL (a step cut short is retried). @defaultValue 5000 */
  stopGraceMs?: number;
  /** Aborting it while the farm starts stops what was started; the call rejects with PROCESS_ABORTED. @defaultValue none */
  signal?: AbortSignal;
}

/** A running local farm. */
export interface LocalFarm {
  apiUrl: string;
  apiKey: string;
  tenant: string;
  /** Every API key the gateway takes -> its tenant (`apiKey` among them). */
  apiKeys: Readonly<Record<string, string>>;
  /** Signing secret of the webhooks of every tenant of the local farm. */
  webhookSecret: string;
  /** Webhook endpoints allowed on loopback or private addresses (`host:port`). */
  webhookAllowHosts: readonly string[];
  redisUrl: string;
  storageUrl: string;
  prefix: string;
  /** The workers that take work now (the autoscaler adds and removes some when `workerScaling.min < .max`). */
  readonly workers: readonly SupervisedProcess[];
  /** The worker pool's bounds. */
  workerScaling: WorkerScaling;
  /** The ops dashboard of the farm's gateway (opened with the operator key). */
  dashboardUrl: string;
  /** The file holding the operator key (made in the data folder), or null when PORTRAIT_FARM_OPERATOR_KEY gives it. */
  operatorKeyFile: string | null;
  stitcher: SupervisedProcess;
  gateway: SupervisedProcess;
  /** The farm's own redis-server (restarted if it dies; its append-only file keeps the data), or null with `redisUrl`. */
  redis: SupervisedProcess | null;
  /** The folder of the processes' log files (`{name}.log`). */
  logDir: string;
  /** Pid of the guard that stops every process if this one dies without calling `stop()` (SIGKILL, a crash). */
  guardPid: number;
  /** Stops every process (the farm's own Redis last), removes the gateway's configuration file, closes the log files and frees the data folder. */
  stop(): Promise<void>;
}

/**
 * The keys the local farm's gateway takes: the data folder's own key (tenant "local", kept when PORTRAIT_FARM_API_KEYS
 * is set, so its clients keep working), every `key:tenant` of PORTRAIT_FARM_API_KEYS, and a key given in code
 * (tenant "local").
 */
export function localFarmApiKeys(
  dataDirKey: string,
  pairs: ReadonlyArray<readonly [string, string]>,
  givenKey: string | null,
): Readonly<Record<string, string>> {
  const keys: Record<string, string> = { [dataDirKey]: 'local' };
  for (const [key, tenant] of pairs) keys[key] = tenant;
  if (givenKey !== null) keys[givenKey] = 'local';
  return Object.freeze(keys);
}

/**
 * Starts a whole farm on this machine as child processes: Redis (unless `redisUrl`), the gateway, N workers and a
 * stitcher, each restarted if it crashes. Webhooks may use http URLs (local use only), and go to loopback or private
 * addresses only for the endpoints named in `webhookAllowHosts`: a key holder cannot make the stitcher POST to the
 * farm's own Redis or gateway. Every key of PORTRAIT_FARM_API_KEYS is served, beside the data folder's. The processes
 * are this install's apps, run as the CLI itself runs: their sources through tsx in a checkout, their compiled
 * dist/main.js otherwise (install-paths.ts). Their output (JSON log lines) is appended to `{logDir}/{name}.log`; `log`
 * gets one readable line per job event in it, and a line for each process that exits and is restarted.
 *
 * The farm holds its data folder alone (`farm.pid`, FARM_DATA_DIR_IN_USE while another farm runs on it) and is
 * ready only when its own gateway answers on the port: a port held by another process fails the start
 * (PROCESS_PORT_IN_USE, or FARM_PROCESS_FAILED when it is taken while the gateway starts). Each process runs in a
 * process group of its own, so a terminal's Ctrl-C reaches only the caller, which calls `stop()`; a guard process
 * stops them all if the caller dies without doing so.
 */
export async function startLocalFarm(options: LocalFarmOptions = {}): Promise<LocalFarm> {
  const log = options.log ?? ((): void => {});
  const dataDir = resolve(options.dataDir ?? LOCAL_FARM_DATA_DIR);
  const workerScaling = resolveWorkerScaling(options);
  // Read once: a malformed or unknown PORTRAIT_FARM_* variable (here or in options.env) stops the start, not each child.
  const settings = loadConfig('local-farm', { ...process.env, ...options.env });
  const prefix = options.prefix ?? ENVIRONMENT.PORTRAIT_FARM_PREFIX.default;
  const firstKey = settings.apiKeys?.[0] ?? null;
  const tenant = options.apiKey === undefined && firstKey !== null ? firstKey[1] : 'local';
  const claim = await claimDataDir(dataDir);
  let credentials: LocalFarmCredentials;
  let signingKeyPath: string;
  let operatorKeyFile: string | null = null;
  let operatorKey: string;
  try {
    credentials = await loadCredentials(dataDir);
    signingKeyPath = await loadSigningKeyFile(dataDir);
    if (settings.operatorKey === null) ({ path: operatorKeyFile, key: operatorKey } = await loadOperatorKeyFile(dataDir));
    else operatorKey = settings.operatorKey;
  } catch (error) {
    await claim.release();
    throw error;
  }
  const apiKey = options.apiKey ?? firstKey?.[0] ?? credentials.apiKey;
  const { webhookSecret, presignSecret } = credentials;
  const apiKeys = localFarmApiKeys(credentials.apiKey, settings.apiKeys ?? [], options.apiKey === undefined ? null : apiKey);
  const webhookAllowHosts = Object.freeze([...(options.webhookAllowHosts ?? settings.webhookAllowHosts ?? [])]);
  const tenants = [...new Set(Object.values(apiKeys))];
  const allowLoopback = settings.webhookAllowLoopback;
  const allowPrivate = settings.webhookAllowPrivate;
  const storageUrl = options.storageUrl ?? join(dataDir, 'storage');
  const graceMs = options.stopGraceMs ?? 5000;
  const logDir = resolve(options.logDir ?? join(dataDir, 'logs'));
  let logs: FarmLogs | null = null;
  const children: SupervisedProcess[] = [];
  let ownRedis: SupervisedProcess | null = null;
  let guard: ProcessGuard | null = null;
  const configFile = join(dataDir, `gateway-config-${process.pid}.json`);
  // Set once the processes' environment is known; the pool starts its workers through it.
  let startApp: (name: string, entry: FarmApp) => Promise<SupervisedProcess> = () => Promise.reject(new Error('the farm is not started'));
  const workerPool = createWorkerPool((name) => startApp(name, 'worker'));
  let autoscaler: WorkerAutoscaler | null = null;
  let stopping: Promise<void> | null = null;
  const stopAll = (): Promise<void> =>
    (stopping ??= (async () => {
      await autoscaler?.stop();
      await rm(configFile, { force: true });
      await Promise.all([...children.filter((c) => c !== ownRedis).map((c) => c.stop(graceMs)), workerPool.stop(graceMs)]);
      await ownRedis?.stop(graceMs);
      await logs?.close();
      await claim.release();
      await guard?.close();
    })());
  try {
    const port = options.port === 0 ? await freePort() : (options.port ?? 8080);
    await assertPortFree(port, '127.0.0.1', () => describePortHolder(port));
    guard = await startProcessGuard({ graceMs });
    await claim.addHolder(guard.pid);
    guard.removeFileOnOrphan(configFile);
    guard.removeFileOnOrphan(claim.path, claim.content);
    const supervision = {
      detached: true,
      guard,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    } satisfies Partial<SuperviseOptions>;
    const farmLogs = openFarmLogs(logDir, { log, verbose: options.verbose ?? settings.verbose });
    logs = farmLogs;
    const withLog = (name: string): Pick<SuperviseOptions, 'onLine' | 'onExit'> => farmLogs.of(name);
    let redisUrl = options.redisUrl;
    if (redisUrl === undefined) {
      // Stopped after the processes that use it (guard stage 1).
      const own = await startOwnRedis(join(dataDir, 'redis'), { ...supervision, guardStage: 1, ...withLog('redis') });
      ownRedis = own.redis;
      children.push(own.redis);
      redisUrl = own.url;
    }
    options.signal?.throwIfAborted();
    if (!/^[a-z0-9]+:/i.test(storageUrl) || /^[a-z]:[\\/]/i.test(storageUrl)) await mkdir(storageUrl, { recursive: true });
    const apiUrl = `http://127.0.0.1:${port}`;
    await writeFile(
      configFile,
      JSON.stringify({
        redisUrl,
        storageUrl,
        publicBaseUrl: apiUrl,
        apiKeys,
        presignSecret,
        signingKey: signingKeyPath,
        operatorKey,
        prefix,
        inputFetch: { allowHttp: true },
        webhookSecrets: Object.fromEntries(tenants.map((t) => [t, webhookSecret])),
        webhooks: { allowHosts: webhookAllowHosts, allowLoopback, allowPrivate },
      }),
      { mode: 0o600 },
    );
    // The caller's limits, timeouts, face check, retention, ... reach the gateway; what the farm owns is in its file.
    const base = gatewayEnvironment({ ...process.env, ...options.env });
    const gatewayEnv: NodeJS.ProcessEnv = { ...base, PORTRAIT_FARM_CONFIG: configFile, PORT: String(port), HOST: '127.0.0.1' };
    const farmEnv: NodeJS.ProcessEnv = {
      PORTRAIT_FARM_METRICS_HOST: '127.0.0.1',
      PORTRAIT_FARM_SESSION_HOST: '127.0.0.1',
      ...process.env,
      // Several workers share this machine: each serves GET /metrics on a free port of its own, logged as metricsUrl,
      // and its realtime sessions on another (registered for the gateway, which forwards the sessions' streams to it).
      PORTRAIT_FARM_METRICS_PORT: '0',
      PORTRAIT_FARM_SESSION_PORT: '0',
      PORTRAIT_FARM_REDIS_URL: redisUrl,
      PORTRAIT_FARM_STORAGE_URL: storageUrl,
      PORTRAIT_FARM_PREFIX: prefix,
      PORTRAIT_FARM_WEBHOOK_SECRETS: tenants.map((t) => `${t}:${webhookSecret}`).join(','),
      // The stitcher's webhooks carry the job's URLs and a presigned download, as the gateway's answers do.
      PORTRAIT_FARM_PUBLIC_URL: apiUrl,
      PORTRAIT_FARM_PRESIGN_SECRET: presignSecret,
      PORTRAIT_FARM_SIGNING_KEY: signingKeyPath,
      // Loopback and private receivers only where named (or where the caller's own environment allows them all).
      PORTRAIT_FARM_WEBHOOK_ALLOW_LOOPBACK: allowLoopback ? '1' : '0',
      PORTRAIT_FARM_WEBHOOK_ALLOW_PRIVATE: allowPrivate ? '1' : '0',
      ...(webhookAllowHosts.length === 0 ? {} : { PORTRAIT_FARM_WEBHOOK_ALLOW_HOSTS: webhookAllowHosts.join(',') }),
      ...(options.packDir === undefined ? {} : { PORTRAIT_FARM_PACK: options.packDir }),
      ...options.env,
      // The workers share this machine's cores: each sizes its render and denoiser threads to its share.
      PORTRAIT_FARM_WORKER_CORES: workerCoresSetting({ ...process.env, ...options.env }, workerScaling.max),
    };
    const app = (name: string, entry: FarmApp, env: NodeJS.ProcessEnv): Promise<SupervisedProcess> =>
      superviseProcess({ ...supervision, ...withLog(name), name, command: process.execPath, args: appNodeArgs(entry), cwd: INSTALL_ROOT, env });
    // Workers and the stitcher have no readiness check: they are started and the gateway is waited for meanwhile.
    startApp = (name, entry) => app(name, entry, farmEnv);
    await workerPool.resize(workerScaling.min);
    const stitcher = await app('stitcher', 'stitcher', farmEnv);
    children.push(stitcher);
    const gateway = await superviseProcess({
      ...supervision,
      ...withLog('gateway'),
      name: 'gateway',
      command: process.execPath,
      args: appNodeArgs('gateway'),
      cwd: INSTALL_ROOT,
      env: gatewayEnv,
      // Its own pid in the answer: a gateway another farm left on the port must not pass for this one.
      ready: (child) => gatewayAnswers(apiUrl, child.pid),
      readyTimeoutMs: 60_000,
      readyIntervalMs: 200,
    });
    children.push(gateway);
    if (workerScaling.min < workerScaling.max) {
      autoscaler = startWorkerAutoscaler({
        pool: workerPool,
        scaling: workerScaling,
        stepsPerWorker: loadConfig('worker', farmEnv).segmentConcurrency,
        readRenderWork: renderWorkReader(apiUrl, operatorKey),
        log,
      });
    }
    return {
      apiUrl,
      apiKey,
      tenant,
      apiKeys,
      webhookSecret,
      webhookAllowHosts,
      redisUrl,
      storageUrl,
      prefix,
      get workers() {
        return workerPool.workers;
      },
      workerScaling,
      dashboardUrl: `${apiUrl}/dashboard`,
      operatorKeyFile,
      stitcher,
      gateway,
      redis: ownRedis,
      logDir,
      guardPid: guard.pid,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
