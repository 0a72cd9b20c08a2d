// Cold start of the farm's processes: milliseconds from spawn until the gateway answers /healthz and until a worker
// prints "ready" (engine loaded). Runs each process as production runs it (compiled JavaScript from dist/, after
// `npm run build`) and as development runs it (TypeScript through tsx), alternating, and prints medians.
//   npm run bench:cold-start [-- --runs 5]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@portrait-farm/process-supervision';
import { startRedisServer } from '@portrait-farm/test-support/redis-server';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] ?? 3) || 3;

type Mode = 'compiled' | 'source';
type Role = 'gateway' | 'worker';

function command(role: Role, mode: Mode): string[] {
  return mode === 'compiled'
    ? [join(ROOT, `apps/${role}/dist/main.js`)]
    : ['--conditions=portrait-farm-source', '--import', 'tsx', join(ROOT, `apps/${role}/src/main.ts`)];
}

async function coldStart(role: Role, mode: Mode, env: Record<string, string>): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, command(role, mode), { cwd: ROOT, env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  try {
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${role} (${mode}) not ready in 60 s:\n${output}`)), 60_000);
      const done = (): void => {
        clearTimeout(timer);
        resolve(performance.now() - started);
      };
      child.on('exit', (code) => reject(new Error(`${role} (${mode}) exited with ${code}:\n${output}`)));
      const onData = (data: Buffer): void => {
        output += data.toString();
        if (role === 'worker' && /\bready\b/.test(output)) done();
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      if (role === 'gateway') {
        const poll = async (): Promise<void> => {
          while (child.exitCode === null) {
            const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
            if (ok) return done();
            await new Promise((r) => setTimeout(r, 5));
          }
        };
        void poll();
      }
    });
  } finally {
    child.kill('SIGKILL');
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const redis = await startRedisServer();
const storage = await mkdtemp(join(tmpdir(), 'pf-cold-start-'));
const env = {
  PORTRAIT_FARM_REDIS_URL: redis.url,
  PORTRAIT_FARM_STORAGE_URL: storage,
  PORTRAIT_FARM_API_KEYS: 'cold-start-key-0001:bench',
  PORTRAIT_FARM_PRESIGN_SECRET: 'cold-start-presign-secret',
  PORTRAIT_FARM_PUBLIC_URL: 'http://127.0.0.1',
  HOST: '127.0.0.1',
};
const modes: Mode[] = existsSync(join(ROOT, 'apps/gateway/dist/main.js')) ? ['source', 'compiled'] : ['source'];
const results: Record<string, number[]> = {};
try {
  for (let run = 0; run < runs; run++) {
    for (const role of ['gateway', 'worker'] as const) {
      for (const mode of modes) {
        const ms = await coldStart(role, mode, env);
        (results[`${role} ${mode}`] ??= []).push(ms);
      }
    }
  }
} finally {
  await redis.close();
  await rm(storage, { recursive: true, force: true });
}
process.stdout.write(`cold start, median of ${runs} (ms; spawn to /healthz 200 or "ready")\n| process | ${modes.join(' | ')} |\n|---|${modes.map(() => '---|').join('')}\n`);
for (const role of ['gateway', 'worker']) {
  process.stdout.write(`| ${role} | ${modes.map((mode) => median(results[`${role} ${mode}`]!).toFixed(0)).join(' | ')} |\n`);
}
