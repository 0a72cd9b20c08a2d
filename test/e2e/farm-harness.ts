import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { createValidator } from '@portrait-farm/contracts';
import { renderClip } from '@portrait-farm/engine';
import { MANIFEST_BOX_UUID, watermarkPayload } from '@portrait-farm/provenance';
import type { SignedManifest } from '@portrait-farm/provenance';
import { verify } from '@portrait-farm/webhooks';

export const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;

/** Options every e2e job uses, and the same for the renderClip reference. */
export const JOB_OPTIONS = Object.freeze({ fps: 25, mode: 'crop' as const, seed: 7, controls: { blinkRate: 20, emotion: 'happy' as const } });

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The project's manifest box type (a top-level uuid box of @portrait-farm/provenance's MANIFEST_BOX_UUID). */
const MANIFEST_UUID_HEX = MANIFEST_BOX_UUID.replaceAll('-', '');

type Box = { type: string; offset: number; size: number; header: number };

/** The top-level boxes of an MP4's bytes: type, offset, size and header length. */
function boxesOf(buffer: Buffer): Box[] {
  const boxes = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    let size = buffer.readUInt32BE(offset);
    let header = 8;
    if (size === 1) {
      size = Number(buffer.readBigUInt64BE(offset + 8));
      header = 16;
    }
    if (size === 0) size = buffer.length - offset;
    if (size < header) break;
    boxes.push({ type: buffer.toString('latin1', offset + 4, offset + 8), offset, size, header });
    offset += size;
  }
  return boxes;
}

function isManifestBox(buffer: Buffer, box: Box): boolean {
  const start = box.offset + box.header;
  return box.type === 'uuid' && buffer.toString('hex', start, start + 16) === MANIFEST_UUID_HEX;
}

function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * sha256 of an MP4 without its signed provenance manifest box: the farm signs its videos (the local farm has a
 * signing key), renderClip does not, and the video itself must still be byte-identical.
 */
export function videoSha256(bytes: Uint8Array): string {
  const buffer = bufferOf(bytes);
  const hash = createHash('sha256');
  let end = 0;
  for (const box of boxesOf(buffer)) {
    if (!isManifestBox(buffer, box)) hash.update(buffer.subarray(box.offset, box.offset + box.size));
    end = box.offset + box.size;
  }
  if (end < buffer.length) hash.update(buffer.subarray(end));
  return hash.digest('hex');
}

/** The signed provenance manifest the stitcher put into an MP4 (its bytes), or null when it has none. */
export function manifestOf(video: Uint8Array): SignedManifest | null {
  const buffer = bufferOf(video);
  const box = boxesOf(buffer).find((b) => isManifestBox(buffer, b));
  return box === undefined ? null : (JSON.parse(buffer.toString('utf8', box.offset + box.header + 16, box.offset + box.size)) as SignedManifest);
}

/** What a job's watermark payload is derived from when its video has no manifest (a farm without a signing key). */
export interface JobIdentity {
  id: string;
  tenantId: string;
  /** The job's createdAt (GET /v1/jobs/{id}). */
  createdAt: string;
}

/**
 * The invisible watermark payload the farm's worker embedded in a job's video: the one its signed manifest names,
 * else derived as the worker does (@portrait-farm/provenance's watermarkPayload of the job, the pack's version).
 */
export function farmWatermarkPayload(video: Uint8Array, pack: string, job?: JobIdentity): Uint8Array {
  const named = manifestOf(video)?.manifest.watermark.payload;
  if (named !== undefined) return Uint8Array.from(Buffer.from(named, 'hex'));
  if (job === undefined) throw new Error('The video has no signed manifest: pass the job to derive its watermark payload.');
  const packVersion = (JSON.parse(readFileSync(join(pack, 'manifest.json'), 'utf8')) as { version: string }).version;
  return Uint8Array.from(watermarkPayload({ jobId: job.id, tenantId: job.tenantId, packVersion, date: new Date(job.createdAt) }));
}

/** Inputs of {@link farmReferenceSha}: what the farm job rendered, with which pack, and a folder for the reference. */
export interface ReferenceInputs {
  image: string;
  audio: string;
  pack: string;
  /** Where the reference MP4 is written. */
  dir: string;
  /** The job options (default: {@link JOB_OPTIONS}). */
  options?: object;
}

const references = new Map<string, string>();

/**
 * sha256 of renderClip of the same inputs and options with the same invisible watermark as the farm's video (its
 * payload, the default key): the farm's video without its manifest box ({@link videoSha256}) must equal it. Every
 * farm job carries its own payload (job id, tenant, pack version, date), so each job has its own reference; one
 * per payload and audio is rendered (cached).
 */
export async function farmReferenceSha(video: Uint8Array, inputs: ReferenceInputs, job?: JobIdentity): Promise<string> {
  const payload = farmWatermarkPayload(video, inputs.pack, job);
  const hex = Buffer.from(payload).toString('hex');
  const id = `${inputs.image}|${inputs.audio}|${inputs.pack}|${JSON.stringify(inputs.options ?? JOB_OPTIONS)}|${hex}`;
  const known = references.get(id);
  if (known !== undefined) return known;
  const out = join(inputs.dir, `reference-${basename(inputs.audio).replace(/\W+/g, '-')}-${hex}.mp4`);
  await renderClip({ image: inputs.image, audio: inputs.audio, out, pack: inputs.pack, providers: ['cpu'], ...(inputs.options ?? JOB_OPTIONS), watermark: { payload } });
  const sha = sha256(readFileSync(out));
  references.set(id, sha);
  return sha;
}

/** `seconds` of speech: speech-3s.wav looped with ffmpeg. */
export function loopedSpeech(dir: string, loops: number): string {
  const out = join(dir, `speech-${3 * (loops + 1)}s.wav`);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-stream_loop', String(loops), '-i', join(FIXTURES, 'speech-3s.wav'), '-c', 'copy', out]);
  return out;
}

export interface ReceivedWebhook {
  type: string;
  jobId: string;
  status: string;
  headers: IncomingHttpHeaders;
  /** The event's data: the job as GET /v1/jobs/{id} answers it. */
  data: Record<string, unknown>;
  /** When it arrived (Date.now()). */
  at: number;
}

/**
 * A webhook receiver on 127.0.0.1 that verifies every signature and records the events. It can go down (the port
 * closed: connections refused) and come back on the same port.
 */
export class WebhookReceiver {
  readonly events: ReceivedWebhook[] = [];
  readonly rejected: string[] = [];
  private waiters: Array<() => void> = [];
  private server: Server | null = null;
  private port = 0;
  private constructor(private readonly secret: () => string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  static async start(secret: () => string): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver(secret);
    await receiver.up();
    return receiver;
  }

  /** Listens on its port (any free one the first time, the same one after {@link down}). */
  async up(): Promise<void> {
    if (this.server !== null) return;
    const server = createServer((request, response) => {
      const parts: Buffer[] = [];
      request.on('data', (part: Buffer) => parts.push(part));
      request.on('end', () => {
        const body = Buffer.concat(parts);
        try {
          verify(this.secret(), request.headers, body);
          const event = JSON.parse(body.toString('utf8')) as { type: string; data: Record<string, unknown> & { id: string; status: string } };
          this.events.push({ type: event.type, jobId: event.data.id, status: event.data.status, headers: request.headers, data: event.data, at: Date.now() });
          response.writeHead(204).end();
        } catch (error) {
          this.rejected.push((error as Error).message);
          response.writeHead(400).end();
        }
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Closes the port and every open connection. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server === null) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  close(): Promise<void> {
    return this.down();
  }

  /** The events of one job and type received so far. */
  of(jobId: string, type: string): ReceivedWebhook[] {
    return this.events.filter((e) => e.jobId === jobId && e.type === type);
  }

  async waitFor(jobId: string, type: string, timeoutMs: number): Promise<ReceivedWebhook> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.of(jobId, type)[0];
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`No ${type} webhook for ${jobId} within ${timeoutMs} ms (got ${JSON.stringify(this.events.map((e) => [e.jobId, e.type]))})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 500));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

export interface SubmitOptions {
  image: string;
  audio: string;
  options?: object;
  webhook?: string;
  idempotencyKey?: string;
  /** The consent field: {"attestation": true} unless given. */
  consent?: object;
}

/** POST /v1/jobs as multipart; answers the status, JSON body and headers. */
export async function submitJob(apiUrl: string, apiKey: string, s: SubmitOptions): Promise<{ status: number; body: { id: string; status: string }; headers: Headers }> {
  const form = new FormData();
  form.append('consent', JSON.stringify(s.consent === undefined ? { attestation: true } : s.consent));
  form.append('options', JSON.stringify(s.options ?? JOB_OPTIONS));
  if (s.webhook !== undefined) form.append('webhook', JSON.stringify({ url: s.webhook, events: ['job.succeeded', 'job.failed', 'job.canceled', 'job.progress'] }));
  form.append('image', new Blob([await readFile(s.image)], { type: 'image/png' }), basename(s.image));
  form.append('audio', new Blob([await readFile(s.audio)], { type: 'audio/wav' }), basename(s.audio));
  const headers: Record<string, string> = { authorization: `Bearer ${apiKey}` };
  if (s.idempotencyKey !== undefined) headers['idempotency-key'] = s.idempotencyKey;
  const response = await fetch(`${apiUrl}/v1/jobs`, { method: 'POST', body: form, headers });
  return { status: response.status, body: (await response.json()) as { id: string; status: string }, headers: response.headers };
}

export async function getJob(apiUrl: string, apiKey: string, id: string): Promise<Record<string, unknown> & { status: string }> {
  const response = await fetch(`${apiUrl}/v1/jobs/${id}`, { headers: { authorization: `Bearer ${apiKey}` } });
  return (await response.json()) as Record<string, unknown> & { status: string };
}

/**
 * GET /v1/jobs/{id}/result, following the redirect to the presigned URL. A connection reset is tried once more, as an
 * HTTP client does for a GET: a kept-alive socket the server closed just as it was reused (seen once in a chaos run,
 * after the job had succeeded) says nothing of the farm.
 */
export async function downloadResult(apiUrl: string, apiKey: string, id: string): Promise<Buffer> {
  const get = (): Promise<Response> => fetch(`${apiUrl}/v1/jobs/${id}/result`, { headers: { authorization: `Bearer ${apiKey}` } });
  const response = await get().catch((error: unknown) => {
    if ((error as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw error;
    return get();
  });
  if (!response.ok) throw new Error(`GET result answered ${response.status}: ${await response.text()}`);
  return Buffer.from(await response.arrayBuffer());
}

/**
 * Problems of `value` against a component schema of the gateway's committed OpenAPI document (e.g. "Job"), checked
 * with the project's validator; no property beyond the schema's at its top level. Empty when it conforms.
 */
export function documentProblems(component: string, value: unknown): unknown[] {
  const document = JSON.parse(readFileSync(new URL('../../apps/gateway/openapi.json', import.meta.url), 'utf8')) as { components: { schemas: Record<string, object> } };
  const local = (schema: object): object => JSON.parse(JSON.stringify(schema).replaceAll('#/components/schemas/', '#/$defs/')) as object;
  const $defs = Object.fromEntries(Object.entries(document.components.schemas).map(([name, schema]) => [name, local(schema)]));
  const validate = createValidator().compile({ $defs, type: 'object', $ref: `#/$defs/${component}`, unevaluatedProperties: false });
  return validate(value) ? [] : [...(validate.errors ?? [])];
}

/** One hash per decoded video frame, in order: two files show the same picture when these are equal. */
export function decodedFrameHashes(path: string): string[] {
  const text = execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-i', path, '-map', '0:v:0', '-f', 'framemd5', '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('#')).map((line) => line.split(',').at(-1)!.trim());
}

export async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A TCP port free on 127.0.0.1 now: for a gateway that must name its own address (its public URL) before it listens. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
