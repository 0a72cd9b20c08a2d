import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { loadConfig } from '@portrait-farm/config';
import { DEMO_AUDIO, DEMO_IMAGE, STARTER_PACK } from '../install-paths.ts';
import { describeWorkerScaling } from '../local-farm/worker-scaling.ts';
import { EXIT, type CliCommand } from './command.ts';
import { stopSignal } from './stop-signal.ts';
import { parseFarmFlags } from './up-command.ts';

export const DEMO_USAGE = `Usage: portrait-farm demo [options]

Start the farm locally (as "up" does, 2 workers), send test/fixtures/astronaut.png and
test/fixtures/demo-speech-20s.ogg through the HTTP API with a webhook, wait for the signed job.succeeded
webhook, download the video and stop the farm.

Options:
  --out PATH         where the video goes (default: out/demo.mp4)
  --workers N        worker processes, 1 to 64 (default: 2)
  --port P           API port (default: any free one)
  --data-dir DIR     the farm's Redis, storage and credentials (default: a new temporary folder, removed after)
  --storage URL      storage folder or s3:// URL (default: DATA_DIR/storage)
  --redis URL        an existing Redis (default: start redis-server)
  --pack DIR         model pack (default: PORTRAIT_FARM_PACK or models/starter)
  --verbose          also print every line the farm's processes log (default: PORTRAIT_FARM_VERBOSE, off)
  -h, --help         this text

The terminal shows one line per job event; the processes' logs are in DATA_DIR/logs (kept when the demo fails).
`;

function outOption(argv: readonly string[]): { out: string | null; rest: string[] } {
  const rest: string[] = [];
  let out: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--out') out = argv[++i] ?? '';
    else if (arg.startsWith('--out=')) out = arg.slice(6);
    else rest.push(arg);
  }
  return { out, rest };
}

/** `portrait-farm demo`: one job through a local farm, end to end, as an API client. */
export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'start the farm, render the demo clip through the API and webhook, stop',
  usage: DEMO_USAGE,
  async run(argv, io) {
    const { out: outArg, rest } = outOption(argv);
    const flags = parseFarmFlags(rest, io.cwd, 2, 0);
    if (flags === null) {
      io.stdout.write(DEMO_USAGE);
      return EXIT.ok;
    }
    const { reserveDemoReceiver, runDemoJob, startLocalFarm } = await import('../local-farm/index.ts');
    const image = DEMO_IMAGE;
    const audio = DEMO_AUDIO;
    const out = resolve(io.cwd, outArg ?? 'out/demo.mp4');
    const pack = flags.packDir ?? loadConfig('local-farm', process.env).packDir ?? STARTER_PACK;
    if (!existsSync(join(pack, 'manifest.json'))) {
      io.stderr.write(`portrait-farm demo: model pack not found: ${pack} has no manifest.json (run npm run setup, or pass --pack)\n`);
      return EXIT.failed;
    }
    io.stdout.write(`Starting the farm (${describeWorkerScaling({ min: flags.workersMin, max: flags.workersMax })})...\n`);
    // A folder of its own unless told otherwise: the demo runs beside a farm that `up` keeps in .cache/farm.
    const dataDir = flags.dataDir ?? (await mkdtemp(join(tmpdir(), 'portrait-farm-demo-')));
    const logDir = join(dataDir, 'logs');
    /** Removes the demo's own folder after a success; after a failure it stays, for the processes' logs. */
    const cleanUp = async (succeeded: boolean): Promise<void> => {
      if (!succeeded && existsSync(logDir)) io.stderr.write(`portrait-farm demo: the farm's logs are in ${logDir}\n`);
      else if (flags.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
    };
    // Ctrl-C, SIGTERM or SIGHUP end the job's wait; the farm is stopped either way.
    const stop = stopSignal(io);
    const receiver = await reserveDemoReceiver();
    let farm;
    try {
      farm = await startLocalFarm({
        ...flags,
        // The demo's receiver is the one loopback endpoint the farm's webhooks may go to.
        webhookAllowHosts: [receiver.endpoint],
        dataDir,
        packDir: pack,
        logDir,
        log: (line) => io.stdout.write(`${line}\n`),
        signal: stop.signal,
      });
    } catch (error) {
      io.stderr.write(`portrait-farm demo: ${(error as Error).message}\n`);
      stop.dispose();
      await cleanUp(false);
      return EXIT.failed;
    }
    let succeeded = false;
    try {
      io.stdout.write(`Farm up at ${farm.apiUrl}; submitting ${relative(io.cwd, image)} + ${relative(io.cwd, audio)}\n`);
      const result = await runDemoJob(farm, {
        receiverPort: receiver.port,
        image,
        audio,
        out,
        log: (line) => io.stdout.write(`  ${line}\n`),
        signal: stop.signal,
      });
      io.stdout.write(`Done in ${result.seconds.toFixed(1)} s: ${out} (${(result.bytes / 1e6).toFixed(2)} MB, job ${result.jobId})\n`);
      const timings = (result.job['timings'] ?? {}) as Record<string, unknown>;
      io.stdout.write(`  timings: ${JSON.stringify(timings)}\n`);
      succeeded = true;
      return EXIT.ok;
    } catch (error) {
      io.stderr.write(`portrait-farm demo: ${(error as Error).message}\n`);
      return EXIT.failed;
    } finally {
      io.stdout.write('Stopping the farm...\n');
      await farm.stop();
      stop.dispose();
      await cleanUp(succeeded);
    }
  },
};
