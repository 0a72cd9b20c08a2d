import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname } from 'node:path';
import { freePort } from '@portrait-farm/process-supervision';
import { verify } from '@portrait-farm/webhooks';
import { LocalFarmError } from './errors.ts';
import type { LocalFarm } from './local-farm.ts';

/** Options of {@link runDemoJob}. */
export interface DemoJobOptions {
  image: string;
  audio: string;
  /** Where the result MP4 is written. */
  out: string;
  options?: object;
  /** Longest wait for the job.succeeded webhook, in milliseconds. @defaultValue 1800000 */
  timeoutMs?: number;
  signal?: AbortSignal;
  log: (line: string) => void;
  /**
   * Port of the webhook receiver on 127.0.0.1: the farm must name `127.0.0.1:{port}` in `webhookAllowHosts`
   * ({@link reserveDemoReceiver}). @defaultValue any free port (refused unless the farm allows every loopback address)
   */
  receiverPort?: number;
}

/** A free port for the demo's webhook receiver, and the endpoint the farm must allow for it (`webhookAllowHosts`). */
export async function reserveDemoReceiver(): Promise<{ port: number; endpoint: string }> {
  const port = await freePort('127.0.0.1');
  return { port, endpoint: `127.0.0.1:${port}` };
}

export interface DemoJobResult {
  jobId: string;
  out: string;
  bytes: number;
  seconds: number;
  /** The job as GET /v1/jobs/{id} answered at the end. */
  job: Record<string, unknown>;
}

interface VerifiedEvent {
  type: string;
  data: { id: string; status: string; error?: { code: string; message: string } | null };
}

/**
 * One job through a running farm, as a client would do it: a local webhook receiver on 127.0.0.1, POST /v1/jobs
 * with the portrait, the audio and the webhook, the signed job.succeeded (or job.failed) event verified, the
 * result downloaded from GET /v1/jobs/{id}/result and checked against the job's SHA-256.
 */
export async function runDemoJob(farm: LocalFarm, o: DemoJobOptions): Promise<DemoJobResult> {
  const started = performance.now();
  const events: VerifiedEvent[] = [];
  let wake: (() => void) | null = null;
  const server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      const body = Buffer.concat(parts);
      try {
        verify(farm.webhookSecret, request.headers, body);
      } catch (error) {
        o.log(`webhook refused: ${(error as Error).message}`);
        response.writeHead(400).end();
        return;
      }
      events.push(JSON.parse(body.toString('utf8')) as VerifiedEvent);
      response.writeHead(204).end();
      wake?.();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.receiverPort ?? 0, '127.0.0.1', resolve);
  });
  const hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
  const auth = { authorization: `Bearer ${farm.apiKey}` };
  try {
    const form = new FormData();
    // The demo's own sample portrait and speech, which the project may animate.
    form.append('consent', JSON.stringify({ attestation: true, statement: 'portrait-farm demo: the bundled sample portrait and speech' }));
    form.append('options', JSON.stringify(o.options ?? {}));
    form.append('webhook', JSON.stringify({ url: hookUrl, events: ['job.succeeded', 'job.failed'] }));
    form.append('image', new Blob([await readFile(o.image)]), basename(o.image));
    form.append('audio', new Blob([await readFile(o.audio)]), basename(o.audio));
    const created = await fetch(`${farm.apiUrl}/v1/jobs`, { method: 'POST', body: form, headers: auth });
    const createdBody = (await created.json()) as { id?: string; error?: { code: string; message: string } };
    if (created.status !== 202 || createdBody.id === undefined) {
      throw new LocalFarmError('FARM_PROCESS_FAILED', `POST /v1/jobs answered ${created.status}: ${JSON.stringify(createdBody.error ?? createdBody)}`);
    }
    const jobId = createdBody.id;
    o.log(`waiting for the signed webhook of ${jobId} at ${hookUrl}`);
    // The job's progress is the farm's to show (its processes' job events, LocalFarmOptions.log); this waits.
    const deadline = Date.now() + (o.timeoutMs ?? 1_800_000);
    let event: VerifiedEvent | undefined;
    while ((event = events.find((e) => e.data.id === jobId)) === undefined) {
      if (o.signal?.aborted) throw new LocalFarmError('FARM_PROCESS_FAILED', 'Interrupted before the job finished.');
      if (Date.now() > deadline) throw new LocalFarmError('FARM_PROCESS_FAILED', `No webhook for ${jobId} within ${o.timeoutMs ?? 1_800_000} ms.`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    if (event.type !== 'job.succeeded') {
      throw new LocalFarmError('FARM_PROCESS_FAILED', `Job ${jobId} ended with ${event.type}: ${JSON.stringify(event.data.error ?? null)}`);
    }
    o.log(`signed ${event.type} webhook received and verified`);
    const result = await fetch(`${farm.apiUrl}/v1/jobs/${jobId}/result`, { headers: auth });
    if (!result.ok) throw new LocalFarmError('FARM_PROCESS_FAILED', `GET /v1/jobs/${jobId}/result answered ${result.status}.`);
    const bytes = Buffer.from(await result.arrayBuffer());
    await mkdir(dirname(o.out), { recursive: true });
    await writeFile(o.out, bytes);
    const job = (await (await fetch(`${farm.apiUrl}/v1/jobs/${jobId}`, { headers: auth })).json()) as Record<string, unknown>;
    const expected = (job['output'] as { sha256?: string } | null)?.sha256;
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (expected !== actual) throw new LocalFarmError('FARM_PROCESS_FAILED', `The downloaded video's SHA-256 ${actual} differs from the job's ${String(expected)}.`);
    return { jobId, out: o.out, bytes: bytes.length, seconds: (performance.now() - started) / 1000, job };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
