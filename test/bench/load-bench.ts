// npm run bench:load [-- --seconds 20 --connections 50 --creators 4 --keep-every 10 --appendfsync always|everysec|no|off]
// The gateway under load, as real processes (redis-server, gateway, one worker, stitcher; filesystem storage):
//  1. status polling alone: GET /v1/jobs/{id} on --connections connections for --seconds (the rate and concurrency
//     limits lifted), as measured before (3,775 req/s, p50 12 ms, p99 26 ms on 2 cores);
//  2. creation alone: --creators connections POST /v1/jobs back to back for --seconds (each accepted job canceled);
//  3. sustained creation beside polling: --creators connections POST /v1/jobs (multipart, a 256 px portrait and 3 s
//     of speech) back to back while the others poll the accepted jobs' status, for --seconds. Every accepted job is
//     canceled at once except every --keep-every'th, which the real worker renders to the end;
//  4. no job lost: every accepted job must reach a terminal state (canceled, succeeded or failed).
// Prints requests/s, p50 and p99 latency and errors of each phase, then the accepted jobs by final state.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import type { Request, Result } from 'autocannon';
import sharp from 'sharp';
import { writeEngineTestPack } from '@portrait-farm/test-support/engine-test-pack';
import { startLoadFarm } from './load-farm.ts';
import type { LoadFarm } from './load-farm.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    connections: { type: 'string', default: '50' },
    creators: { type: 'string', default: '4' },
    'keep-every': { type: 'string', default: '10' },
    // Redis's append-only file: "off" (none, as the figures before), or its fsync policy: "always" as the local
    // farm and docker-compose run it, "everysec", "no".
    appendfsync: { type: 'string', default: 'off' },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const creators = Number(values.creators);
const keepEvery = Number(values['keep-every']);
const appendfsync = values.appendfsync;
if (!['always', 'everysec', 'no', 'off'].includes(appendfsync)) throw new Error(`--appendfsync takes always, everysec, no or off, not ${appendfsync}`);
const fixtures = new URL('../fixtures/', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'pf-load-'));
const TERMINAL = new Set(['succeeded', 'failed', 'canceled']);

/** One multipart body, sent by every create: options, a 256 px portrait, 3 s of speech. */
async function createBody(): Promise<{ body: Buffer; contentType: string }> {
  const boundary = 'pf-load-bench-boundary-7f3a';
  const image = await sharp(join(fixtures, 'astronaut.png')).resize(256).png().toBuffer();
  const audio = readFileSync(join(fixtures, 'speech-3s.wav'));
  const part = (headers: string, content: Buffer | string): Buffer => Buffer.concat([Buffer.from(`--${boundary}\r\n${headers}\r\n\r\n`), Buffer.from(content), Buffer.from('\r\n')]);
  const body = Buffer.concat([
    part('Content-Disposition: form-data; name="consent"', JSON.stringify({ attestation: true })),
    part('Content-Disposition: form-data; name="options"', JSON.stringify({ fps: 12, mode: 'crop', seed: 5 })),
    part('Content-Disposition: form-data; name="image"; filename="portrait.png"\r\nContent-Type: image/png', image),
    part('Content-Disposition: form-data; name="audio"; filename="speech.wav"\r\nContent-Type: audio/wav', audio),
    Buffer.from(`--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

function run(options: autocannon.Options): Promise<Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(result)));
  });
}

interface Figures {
  phase: string;
  connections: number;
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

function figures(phase: string, c: number, result: Result): Figures {
  return {
    phase,
    connections: c,
    requests: result.requests.total,
    perSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

async function jobStatus(farm: LoadFarm, id: string): Promise<string> {
  const response = await fetch(`${farm.apiUrl}/v1/jobs/${id}`, { headers: { authorization: `Bearer ${farm.apiKey}` } });
  return ((await response.json()) as { status: string }).status;
}

/** Every job of the tenant, as GET /v1/jobs pages them (ids and statuses), including jobs whose 202 a client never read. */
async function listAll(farm: LoadFarm): Promise<Map<string, string>> {
  const all = new Map<string, string>();
  let cursor = '';
  for (;;) {
    const response = await fetch(`${farm.apiUrl}/v1/jobs?limit=100&cursor=${cursor}`, { headers: { authorization: `Bearer ${farm.apiKey}` } });
    const page = (await response.json()) as { jobs: Array<{ id: string; status: string }>; nextCursor: string | null };
    for (const job of page.jobs) all.set(job.id, job.status);
    if (page.nextCursor === null) return all;
    cursor = page.nextCursor;
  }
}

async function main(): Promise<void> {
  const pack = join(work, 'pack');
  writeEngineTestPack(pack, { defaultSteps: 4 });
  const { body, contentType } = await createBody();
  const farm = await startLoadFarm(work, pack, appendfsync === 'off' ? {} : { appendfsync: appendfsync as 'always' | 'everysec' | 'no' });
  const auth = { authorization: `Bearer ${farm.apiKey}` };
  try {
    // A job to poll, rendered to the end first (the farm works before the load starts).
    const first = await fetch(`${farm.apiUrl}/v1/jobs`, { method: 'POST', body, headers: { ...auth, 'content-type': contentType } });
    if (first.status !== 202) throw new Error(`POST /v1/jobs answered ${first.status}: ${await first.text()}`);
    const pollId = ((await first.json()) as { id: string }).id;
    const firstDeadline = Date.now() + 120_000;
    while ((await jobStatus(farm, pollId)) !== 'succeeded') {
      if (Date.now() > firstDeadline) throw new Error(`the first job did not succeed within 120 s (${await jobStatus(farm, pollId)})`);
      await new Promise((r) => setTimeout(r, 250));
    }

    const loadBefore = loadavg()[0]!;
    const pollOnly = await run({ url: `${farm.apiUrl}/v1/jobs/${pollId}`, connections, duration: seconds, headers: auth });

    const accepted: string[] = [];
    const cancels: Array<Promise<unknown>> = [];
    const cancelAnswers = new Map<number, number>();
    const cancelMs: number[] = [];
    let refused = 0;
    let keep = true;
    const createRequest: Request = {
      method: 'POST',
      path: '/v1/jobs',
      headers: { ...auth, 'content-type': contentType },
      body,
      onResponse: (status, responseBody) => {
        if (status !== 202) {
          refused++;
          return;
        }
        const id = (JSON.parse(responseBody) as { id: string }).id;
        accepted.push(id);
        if (!keep || accepted.length % keepEvery !== 0) {
          const sent = performance.now();
          cancels.push(
            fetch(`${farm.apiUrl}/v1/jobs/${id}/cancel`, { method: 'POST', headers: auth }).then(async (r) => {
              await r.arrayBuffer();
              cancelAnswers.set(r.status, (cancelAnswers.get(r.status) ?? 0) + 1);
              cancelMs.push(performance.now() - sent);
            }),
          );
        }
      },
    };
    const pollRequest: Request = {
      method: 'GET',
      headers: auth,
      setupRequest: (request) => ({ ...request, path: `/v1/jobs/${accepted[Math.floor(Math.random() * accepted.length)] ?? pollId}` }),
    };
    keep = false;
    const createOnly = await run({ url: farm.apiUrl, connections: creators, duration: seconds, timeout: 30, requests: [createRequest] });
    keep = true;
    const acceptedAlone = accepted.length;
    const [created, polled] = await Promise.all([
      run({ url: farm.apiUrl, connections: creators, duration: seconds, timeout: 30, requests: [createRequest] }),
      run({ url: farm.apiUrl, connections: connections - creators, duration: seconds, requests: [pollRequest] }),
    ]);
    await Promise.all(cancels);
    // Jobs the gateway accepted while autocannon stopped at the end of a phase (answer unread) are canceled too.
    const known = new Set([pollId, ...accepted]);
    const unanswered = [...(await listAll(farm)).keys()].filter((id) => !known.has(id));
    for (const id of unanswered) await fetch(`${farm.apiUrl}/v1/jobs/${id}/cancel`, { method: 'POST', headers: auth });

    // Every job the gateway holds must end: canceled at once, or rendered by the worker.
    const started = Date.now();
    let final = await listAll(farm);
    while ([...final.values()].some((status) => !TERMINAL.has(status)) && Date.now() - started < 300_000) {
      await new Promise((r) => setTimeout(r, 1000));
      final = await listAll(farm);
    }
    const missing = accepted.filter((id) => !final.has(id));
    const byStatus = new Map<string, number>();
    for (const status of final.values()) byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    const lost = [...final.values()].filter((s) => !TERMINAL.has(s)).length + missing.length;

    const rows = [figures('GET /v1/jobs/{id} alone', connections, pollOnly), figures('POST /v1/jobs alone', creators, createOnly), figures('POST /v1/jobs (beside polling)', creators, created), figures('GET /v1/jobs/{id} (beside creation)', connections - creators, polled)];
    // The machine's own load (other programs on it) bends these figures: printed with them.
    console.log(`\nGateway load, ${seconds} s per phase, Redis ${appendfsync === 'off' ? 'without append-only file' : `appendfsync ${appendfsync}`} (${new Date().toISOString()}, ${cpus().length} CPUs, load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after):`);
    console.log('| phase | connections | requests | req/s | p50 ms | p99 ms | errors |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    for (const r of rows) console.log(`| ${r.phase} | ${r.connections} | ${r.requests} | ${r.perSecond} | ${r.p50} | ${r.p99} | ${r.errors} |`);
    const kept = accepted.slice(acceptedAlone).filter((_, i) => (acceptedAlone + i + 1) % keepEvery === 0).length;
    console.log(`\nJobs answered 202: ${accepted.length} (${refused} refused); left to the worker to render: ${kept}, cancel requested for the others (a job the worker finished first stays succeeded)`);
    const cancelP50 = [...cancelMs].sort((a, b) => a - b)[Math.floor(cancelMs.length / 2)] ?? 0;
    console.log(`Cancel answers: ${[...cancelAnswers.entries()].map(([status, n]) => `${status} x${n}`).join(', ')} (p50 ${Math.round(cancelP50)} ms)`);
    console.log(`Jobs the gateway holds: ${final.size} (the first one, the ${accepted.length} answered 202, ${unanswered.length} whose answer was still on its way when a phase ended); answered 202 but not listed: ${missing.length}`);
    console.log(`Final states after ${Math.round((Date.now() - started) / 1000)} s: ${[...byStatus.entries()].map(([s, n]) => `${s} ${n}`).join(', ')}; lost (not terminal): ${lost}`);
    if (lost > 0 || refused > 0) process.exitCode = 1;
  } catch (error) {
    console.error(`The processes' logs stay in ${work} (gateway.log, worker.log, stitcher.log).`);
    throw error;
  } finally {
    await farm.stop();
  }
  rmSync(work, { recursive: true, force: true });
}

await main();
