import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { probeMedia } from '@portrait-farm/media';
import { startS3rver } from '@portrait-farm/test-support/s3rver';
import type { S3rverProcess } from '@portrait-farm/test-support/s3rver';
import { startRedisServer } from '@portrait-farm/test-support/redis-server';
import type { RedisServerProcess } from '@portrait-farm/test-support/redis-server';
import { downloadResult, FIXTURES, getJob, submitJob, until, WebhookReceiver } from './farm-harness.ts';

// docker-compose.yml's farm services (gateway, worker with its replica count, stitcher), each started as a process
// on this machine with the command and environment the file gives it, on top of the Dockerfile's ENV, in the
// Dockerfile's WORKDIR (the repository). The names of the compose network point at 127.0.0.1: "redis" at a
// redis-server, "minio" at s3rver (an S3-protocol server, with its own fixed credentials instead of MinIO's), with the
// bucket the file's minio-bucket service creates. A job submitted with the file's API key renders, and its webhook
// verifies with the file's secret. The images themselves are not built here: CI has no container runtime.

interface ComposeService {
  command?: string[];
  environment?: Record<string, string | number>;
  entrypoint?: string[];
  deploy?: { replicas?: number };
}
interface ComposeFile {
  services: Record<string, ComposeService>;
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as ComposeFile;
const dockerfile = readFileSync(join(REPO_ROOT, 'infra/docker/Dockerfile'), 'utf8');
const work = mkdtempSync(join(tmpdir(), 'pf-compose-'));
const children: Array<{ name: string; child: ChildProcess; output: string[] }> = [];
let redis: RedisServerProcess;
let s3: S3rverProcess;
let receiver: WebhookReceiver;
let apiUrl = '';

/** ENV and WORKDIR of the Dockerfile (ENV may span lines with backslashes). */
function dockerfileSettings(text: string): { env: Record<string, string>; workdir: string } {
  const joined = text.replace(/\\\n\s*/g, ' ');
  const env: Record<string, string> = {};
  for (const line of joined.split('\n').filter((l) => l.startsWith('ENV '))) {
    for (const [, name, value] of line.slice(4).matchAll(/(\w+)=(\S+)/g)) env[name!] = value!;
  }
  const workdir = /^WORKDIR (\S+)$/m.exec(text)?.[1];
  if (workdir === undefined) throw new Error('the Dockerfile has no WORKDIR');
  return { env, workdir };
}

function bucketCreatedByCompose(): string {
  const script = (compose.services['minio-bucket']?.entrypoint ?? []).join(' ');
  const bucket = /mc mb --ignore-existing farm\/(\S+)/.exec(script)?.[1];
  if (bucket === undefined) throw new Error(`minio-bucket does not create a bucket: ${script}`);
  return bucket;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The service's environment as the container sees it, with compose's host names and paths moved to this machine. */
function hostEnvironment(service: ComposeService, docker: { env: Record<string, string>; workdir: string }, port: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...docker.env, ...service.environment })) {
    env[name] = String(value)
      .replace('redis://redis:6379', redis.url)
      .replace(encodeURIComponent('http://minio:9000'), encodeURIComponent(s3.endpoint))
      .replace(new RegExp(`^${docker.workdir}(?=/|$)`), REPO_ROOT.replace(/\/$/, ''));
  }
  if (env['PORT'] !== undefined) {
    env['PORT'] = String(port);
    env['HOST'] = '127.0.0.1';
    env['PORTRAIT_FARM_PUBLIC_URL'] = `http://127.0.0.1:${port}`;
    // The test's webhook receiver is plain http, which the gateway refuses unless its config file allows it.
    const config = join(work, 'gateway-config.json');
    writeFileSync(config, JSON.stringify({ inputFetch: { allowHttp: true } }));
    env['PORTRAIT_FARM_CONFIG'] = config;
  }
  env['AWS_ACCESS_KEY_ID'] = 'S3RVER';
  env['AWS_SECRET_ACCESS_KEY'] = 'S3RVER';
  // The test's webhook receiver listens on loopback, which the farm refuses unless told otherwise; no GPU here.
  env['PORTRAIT_FARM_WEBHOOK_ALLOW_LOOPBACK'] = '1';
  env['PORTRAIT_FARM_PROVIDERS'] = 'cpu';
  env['PORTRAIT_FARM_TEMP_DIR'] = work;
  // Each container has its own address for GET /metrics (9464); here the worker and the stitcher share one.
  env['PORTRAIT_FARM_METRICS_PORT'] = '0';
  return env;
}

function start(name: string, service: ComposeService, env: Record<string, string>): void {
  const [command, ...args] = service.command ?? [];
  if (command !== 'node') throw new Error(`${name}: expected a node command, found ${JSON.stringify(service.command)}`);
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PORTRAIT_FARM_') && !k.startsWith('AWS_')));
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (chunk: Buffer): void => {
    output.push(chunk.toString('utf8'));
    if (output.length > 200) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  children.push({ name, child, output });
}

function logs(): string {
  return children.map((c) => `--- ${c.name} (exit ${c.child.exitCode ?? 'running'})\n${c.output.join('').slice(-3000)}`).join('\n');
}

const apiKeyOf = (env: Record<string, string>): { key: string; tenant: string } => {
  const [key, tenant] = (env['PORTRAIT_FARM_API_KEYS'] ?? '').split(',')[0]!.split(':');
  return { key: key!, tenant: tenant! };
};
let gatewayEnv: Record<string, string> = {};

beforeAll(async () => {
  const docker = dockerfileSettings(dockerfile);
  [redis, s3] = await Promise.all([startRedisServer(), startS3rver([bucketCreatedByCompose()])]);
  const port = await freePort();
  for (const name of ['gateway', 'worker', 'stitcher']) {
    const service = compose.services[name];
    if (service === undefined) throw new Error(`docker-compose.yml has no ${name} service`);
    const env = hostEnvironment(service, docker, port);
    if (name === 'gateway') gatewayEnv = env;
    for (let replica = 1; replica <= (service.deploy?.replicas ?? 1); replica++) start(`${name}-${replica}`, service, env);
  }
  const secrets = Object.fromEntries((gatewayEnv['PORTRAIT_FARM_WEBHOOK_SECRETS'] ?? '').split(',').map((pair) => [pair.slice(0, pair.indexOf(':')), pair.slice(pair.indexOf(':') + 1)]));
  receiver = await WebhookReceiver.start(() => secrets[apiKeyOf(gatewayEnv).tenant] ?? '');
  apiUrl = `http://127.0.0.1:${port}`;
  try {
    await until('the gateway answering /readyz', async () => (await fetch(`${apiUrl}/readyz`).catch(() => null))?.ok === true, 60_000, 200);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${logs()}`);
  }
}, 120_000);

afterAll(async () => {
  await Promise.all(
    children.map(
      ({ child }) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  await receiver?.close();
  await s3?.stop();
  await redis?.close();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('docker-compose.yml services, run as processes on this machine', () => {
  it('render a job submitted with the file\'s API key, sign its webhook with the file\'s secret, and serve the video', async () => {
    const { key } = apiKeyOf(gatewayEnv);
    const image = join(FIXTURES, 'astronaut.png');
    const audio = join(FIXTURES, 'speech-3s.wav');
    const created = await submitJob(apiUrl, key, { image, audio, options: { fps: 25, mode: 'crop', seed: 5 }, webhook: receiver.url });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    try {
      await receiver.waitFor(created.body.id, 'job.succeeded', 180_000);
    } catch (error) {
      throw new Error(`${(error as Error).message}; job: ${JSON.stringify(await getJob(apiUrl, key, created.body.id))}\n${logs()}`);
    }
    expect(receiver.rejected).toEqual([]);
    const video = await downloadResult(apiUrl, key, created.body.id);
    const file = join(work, 'compose.mp4');
    writeFileSync(file, video);
    const info = await probeMedia(file);
    expect(info.streams.map((s) => `${s.type} ${s.codec}`).sort()).toEqual(['audio aac', 'video h264']);
    expect(info.durationSeconds).toBeGreaterThan(3.5);
    expect(info.durationSeconds).toBeLessThan(3.8);
    const workers = children.filter((c) => c.name.startsWith('worker-'));
    expect(workers.length).toBe(compose.services['worker']?.deploy?.replicas ?? 1);
    expect(children.every((c) => c.child.exitCode === null)).toBe(true);
  }, 240_000);
});
