import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '@portrait-farm/config';
import { usageError } from '../cli-error.ts';
import { STARTER_PACK } from '../install-paths.ts';
import { isLocalFarmError } from '../local-farm/errors.ts';
import { describeWorkerScaling, resolveWorkerScaling, WORKER_BOUNDS } from '../local-farm/worker-scaling.ts';
import type { WorkerScaling } from '../local-farm/worker-scaling.ts';
import { integerInRange } from '../option-values.ts';
import { EXIT, type CliCommand } from './command.ts';
import { stopSignal, whenAborted } from './stop-signal.ts';

export const UP_USAGE = `Usage: portrait-farm up [options]

Run the whole farm on this machine: Redis, the HTTP API (gateway), worker processes and a stitcher, each
restarted if it crashes. Ctrl-C (or SIGTERM, SIGHUP) stops everything; if this process is killed outright, a
guard process stops the farm's processes. One farm at a time per data folder.

Options:
  --workers N        a fixed number of worker processes, 1 to 64 (default: 1)
  --workers-min N    autoscaling: fewest worker processes, 0 to 64 (default: 1)
  --workers-max N    autoscaling: most worker processes, 1 to 64; workers are started while render work waits
                     beyond what the running ones take (default: --workers-min)
  --scale-down-after S
                     autoscaling: seconds with less work before surplus workers stop; each finishes its
                     current step first (default: 60)
  --port P           API port, 0 for any free one (default: 8080)
  --data-dir DIR     where the farm's Redis, storage and credentials live (default: .cache/farm)
  --storage URL      storage: a folder or s3://bucket/prefix?endpoint=... (default: DATA_DIR/storage)
  --redis URL        use this Redis instead of starting redis-server (default: own, on 127.0.0.1)
  --pack DIR         model pack of the workers (default: PORTRAIT_FARM_PACK or models/starter)
  --verbose          also print every line the processes log (default: PORTRAIT_FARM_VERBOSE, off)
  -h, --help         this text

The terminal shows one line per job event (accepted, prepared, each segment rendered, succeeded, failed, canceled)
and processes that crash and restart. Each process logs JSON lines to its own file in DATA_DIR/logs (gateway.log,
worker-1.log, ..., stitcher.log, redis.log), with the job id and tenant on every line about a job.

With --workers-max above --workers-min the farm reads its queue depth (GET /v1/queue/depth, render.total) every
second and prints a line each time it starts or stops workers.

The farm's own Redis writes every change to an append-only file in DATA_DIR: stopped and started again, the farm
finishes the jobs it had accepted. The API key (the first of PORTRAIT_FARM_API_KEYS, key:tenant,..., or one made
on the first run) and the webhook secret are kept in DATA_DIR/credentials.json; they are printed. The operator key
(PORTRAIT_FARM_OPERATOR_KEY, or one made on the first run in DATA_DIR/operator-key) opens the ops dashboard and
GET /v1/queue/depth; its file is named, the key is never printed.
`;

export interface FarmFlags {
  /** The worker pool's bounds, from --workers, or --workers-min, --workers-max and --scale-down-after. */
  workersMin: number;
  workersMax: number;
  scaleDownAfterMs: number;
  port: number;
  dataDir?: string;
  storageUrl?: string;
  redisUrl?: string;
  packDir?: string;
  /** --verbose: the processes' log lines on the terminal too; unset leaves it to PORTRAIT_FARM_VERBOSE. */
  verbose?: true;
}

/** Parses the flags `up` and `demo` share; null for --help. */
/** The other tenants `up` serves (their keys are the caller's own, from PORTRAIT_FARM_API_KEYS, or the data folder's). */
function otherTenantsLine(apiKeys: Readonly<Record<string, string>>, shown: string): string[] {
  const others = [...new Set(Object.entries(apiKeys).filter(([key]) => key !== shown).map(([, tenant]) => tenant))];
  return others.length === 0 ? [] : [`            also tenants ${others.join(', ')} (their keys: PORTRAIT_FARM_API_KEYS, and the data folder's for "local")`];
}

export function parseFarmFlags(argv: readonly string[], cwd: string, defaultWorkers: number, defaultPort: number): FarmFlags | null {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        workers: { type: 'string' },
        'workers-min': { type: 'string' },
        'workers-max': { type: 'string' },
        'scale-down-after': { type: 'string' },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        storage: { type: 'string' },
        redis: { type: 'string' },
        pack: { type: 'string' },
        out: { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw usageError((error as Error).message, true);
  }
  const v = parsed.values;
  if (v.help === true) return null;
  const storage = v.storage;
  const scaling = workerScalingOf(v, defaultWorkers);
  return {
    workersMin: scaling.min,
    workersMax: scaling.max,
    scaleDownAfterMs: scaling.scaleDownAfterMs,
    port: v.port === undefined ? defaultPort : integerInRange('port', v.port, 0, 65535),
    ...(v['data-dir'] === undefined ? {} : { dataDir: resolve(cwd, v['data-dir']) }),
    ...(storage === undefined ? {} : { storageUrl: /^s3:\/\//.test(storage) ? storage : resolve(cwd, storage) }),
    ...(v.redis === undefined ? {} : { redisUrl: v.redis }),
    ...(v.pack === undefined ? {} : { packDir: resolve(cwd, v.pack) }),
    ...(v.verbose === true ? { verbose: true as const } : {}),
  };
}

/** The worker pool's bounds from the flags (a fixed `defaultWorkers` when none is given); bad ones are usage errors. */
function workerScalingOf(values: Record<string, string | boolean | undefined>, defaultWorkers: number): WorkerScaling {
  const count = (flag: string, min: number): number | undefined => {
    const text = values[flag];
    return typeof text === 'string' ? integerInRange(flag, text, min, WORKER_BOUNDS.max) : undefined;
  };
  const workers = count('workers', 1);
  const workersMin = count('workers-min', WORKER_BOUNDS.min);
  const workersMax = count('workers-max', 1);
  const delay = values['scale-down-after'];
  const seconds = typeof delay === 'string' ? integerInRange('scale-down-after', delay, 0, WORKER_BOUNDS.maxScaleDownAfterSeconds) : undefined;
  const fixed = workers ?? (workersMin === undefined && workersMax === undefined ? defaultWorkers : undefined);
  try {
    return resolveWorkerScaling({
      ...(fixed === undefined ? {} : { workers: fixed }),
      ...(workersMin === undefined ? {} : { workersMin }),
      ...(workersMax === undefined ? {} : { workersMax }),
      ...(seconds === undefined ? {} : { scaleDownAfterMs: seconds * 1000 }),
    });
  } catch (error) {
    if (isLocalFarmError(error)) throw usageError(error.message, true);
    throw error;
  }
}

/** `portrait-farm up`: the farm as local child processes until Ctrl-C, SIGTERM or SIGHUP. */
export const upCommand: CliCommand = {
  name: 'up',
  summary: 'run the whole farm locally (API, Redis, workers, stitcher) until Ctrl-C',
  usage: UP_USAGE,
  async run(argv, io) {
    if (argv.includes('--out')) throw usageError('up has no --out option', true);
    const flags = parseFarmFlags(argv, io.cwd, 1, 8080);
    if (flags === null) {
      io.stdout.write(UP_USAGE);
      return EXIT.ok;
    }
    const { startLocalFarm } = await import('../local-farm/index.ts');
    const pack = flags.packDir ?? loadConfig('local-farm', process.env).packDir ?? STARTER_PACK;
    if (!existsSync(join(pack, 'manifest.json'))) {
      io.stderr.write(`portrait-farm up: model pack not found: ${pack} has no manifest.json (run npm run setup, or pass --pack)\n`);
      return EXIT.failed;
    }
    io.stdout.write(`Starting the farm (${describeWorkerScaling({ min: flags.workersMin, max: flags.workersMax })})...\n`);
    const stop = stopSignal(io);
    try {
      let farm;
      try {
        farm = await startLocalFarm({ ...flags, packDir: pack, log: (line) => io.stdout.write(`${line}\n`), signal: stop.signal });
      } catch (error) {
        const why = stop.signal.aborted ? `stopped before the farm was ready (${(stop.signal.reason as Error).message})` : (error as Error).message;
        io.stderr.write(`portrait-farm up: ${why}\n`);
        return EXIT.failed;
      }
      io.stdout.write(
        [
          '',
          `  API       ${farm.apiUrl}  (OpenAPI: ${farm.apiUrl}/openapi.json)`,
          `  API key   ${farm.apiKey}  (tenant ${farm.tenant})`,
          ...otherTenantsLine(farm.apiKeys, farm.apiKey),
          `  Webhooks  to loopback or private addresses only for ${farm.webhookAllowHosts.length === 0 ? 'none (PORTRAIT_FARM_WEBHOOK_ALLOW_HOSTS names host:port)' : farm.webhookAllowHosts.join(', ')}`,
          `  Webhooks  signed with ${farm.webhookSecret}`,
          `  Redis     ${farm.redisUrl}  prefix ${farm.prefix}`,
          `  Storage   ${farm.storageUrl}`,
          `  Dashboard ${farm.dashboardUrl}  (operator key: ${farm.operatorKeyFile ?? 'PORTRAIT_FARM_OPERATOR_KEY'})`,
          `  Logs      ${farm.logDir}  (gateway.log, worker-N.log, stitcher.log${farm.redis === null ? '' : ', redis.log'})`,
          '',
          `  curl -H "Authorization: Bearer ${farm.apiKey}" -F image=@portrait.png -F audio=@speech.wav -F 'consent={\"attestation\":true}' ${farm.apiUrl}/v1/jobs`,
          '',
          'Press Ctrl-C to stop. Job events follow.',
          '',
        ].join('\n'),
      );
      await whenAborted(stop.signal);
      io.stdout.write(`Stopping the farm (${(stop.signal.reason as Error).message})...\n`);
      await farm.stop();
      return EXIT.ok;
    } finally {
      stop.dispose();
    }
  },
};
