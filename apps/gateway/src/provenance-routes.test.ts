import { execFileSync } from 'node:child_process';
import { verify as verifySignature } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobStorageKeys, type JobPlan } from '@portrait-farm/jobs';
import { canonicalJson, generateSigningKeyPem, loadPublicKey, loadSigningKey, signVideo, topLevelBoxes } from '@portrait-farm/provenance';
import type { ManifestDraft, SignedManifest } from '@portrait-farm/provenance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartBody } from './testing/multipart-body.ts';
import type { Gateway } from './build-gateway.ts';
import { auth, GatewayHarness, jobForm, KEY_B } from './testing/gateway-harness.ts';

let harness: GatewayHarness;
let dir: string;
let clean: string;
const pem = generateSigningKeyPem();
const key = loadSigningKey(pem);

const draft: ManifestDraft = {
  generator: 'portrait-farm',
  jobId: 'job_verify',
  tenantId: 'tenant-a',
  createdAt: '2025-01-02T03:04:05.000Z',
  inputs: { image: { sha256: 'a'.repeat(64), size: 1, contentType: 'image/png' }, audio: { sha256: 'b'.repeat(64), size: 1, contentType: 'audio/wav' } },
  model: { pack: 'starter', version: '1' },
  options: { fps: 25, mode: 'full', seed: 0 },
  consent: { attestation: true, statement: null, at: '2025-01-02T03:04:05.000Z' },
  label: false,
  watermark: { payload: '0123456789abcdef', derivation: 'test' },
};

beforeAll(async () => {
  harness = await GatewayHarness.start();
  dir = mkdtempSync(join(tmpdir(), 'pf-verify-test-'));
  clean = join(dir, 'clean.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=128x128:rate=25:duration=1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-y', clean]);
});

afterAll(async () => {
  await harness.close();
  rmSync(dir, { recursive: true, force: true });
});

let copies = 0;
async function videoCopy(): Promise<string> {
  const path = join(dir, `copy-${(copies += 1)}.mp4`);
  copyFileSync(clean, path);
  return path;
}

async function signed(name: string): Promise<string> {
  const path = join(dir, name);
  copyFileSync(clean, path);
  await signVideo(path, draft, key);
  return path;
}

function upload(path: string): { payload: Buffer; headers: Record<string, string> } {
  return multipartBody([{ name: 'video', value: readFileSync(path), filename: 'video.mp4', contentType: 'video/mp4' }]);
}

describe('GET /v1/signing-key', () => {
  it('serves the public key without an API key, and 404 without a signing key', async () => {
    const gateway = await harness.gateway({ signingKey: pem });
    const answer = await gateway.app.inject({ method: 'GET', url: '/v1/signing-key' });
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ algorithm: 'Ed25519', keyId: key.keyId, publicKeyPem: key.publicKeyPem });
    const none = await (await harness.gateway()).app.inject({ method: 'GET', url: '/v1/signing-key' });
    expect(none.statusCode).toBe(404);
    expect(none.json()).toMatchObject({ error: { code: 'GATEWAY_NO_SIGNING_KEY' } });
  });
});

describe('GET /v1/jobs/{id}/manifest', () => {
  const plan: JobPlan = { fps: 25, frameCount: 25, durationSeconds: 1, segments: [{ index: 0, firstWindow: 0, windowCount: 1, frameStart: 0, frameEnd: 25 }] };

  async function createdJob(gateway: Gateway): Promise<string> {
    const form = await jobForm();
    const created = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(undefined, form.headers), payload: form.payload });
    expect(created.statusCode, created.body).toBe(202);
    return created.json<{ id: string }>().id;
  }

  /** Runs the job to success as the farm's steps do; with `signed`, stores the sidecar as the stitcher does. */
  async function succeed(gateway: Gateway, id: string, signed: SignedManifest | null): Promise<void> {
    const { jobs, storage } = gateway.context;
    await jobs.transition(id, 'preparing');
    await jobs.setPlan(id, plan);
    await jobs.transition(id, 'rendering');
    await jobs.transition(id, 'stitching');
    if (signed !== null) await storage.put(jobStorageKeys.manifest(id), Buffer.from(`${JSON.stringify(signed, null, 2)}\n`), { contentType: 'application/json' });
    await storage.put(jobStorageKeys.output(id), readFileSync(clean));
    await jobs.succeed(id, { key: jobStorageKeys.output(id), size: 1, durationSeconds: 1, sha256: 'ab'.repeat(32) });
  }

  const manifestOf = (gateway: Gateway, id: string, key?: string) => gateway.app.inject({ method: 'GET', url: `/v1/jobs/${id}/manifest`, headers: auth(key) });

  it('serves the signed sidecar once the job succeeded, verifiable with GET /v1/signing-key; 404 before, and for another tenant', async () => {
    const gateway = await harness.gateway({ signingKey: pem });
    const id = await createdJob(gateway);
    const early = await manifestOf(gateway, id);
    expect(early.statusCode).toBe(404);
    expect(early.json()).toMatchObject({ error: { code: 'GATEWAY_MANIFEST_NOT_FOUND', message: `Job ${id} is queued: its signed manifest exists once it has succeeded.` } });

    const signed = await signVideo(await videoCopy(), { ...draft, jobId: id }, key);
    await succeed(gateway, id, signed);
    const answer = await manifestOf(gateway, id);
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    const served = answer.json<SignedManifest>();
    expect(served).toEqual(signed);
    const publicKey = (await gateway.app.inject({ method: 'GET', url: '/v1/signing-key' })).json<{ publicKeyPem: string; keyId: string }>();
    expect(served.keyId).toBe(publicKey.keyId);
    expect(verifySignature(null, Buffer.from(canonicalJson(served.manifest)), loadPublicKey(publicKey.publicKeyPem), Buffer.from(served.signature, 'base64'))).toBe(true);

    const otherTenant = await manifestOf(gateway, id, KEY_B);
    expect(otherTenant.statusCode).toBe(404);
    expect(otherTenant.json()).toMatchObject({ error: { code: 'GATEWAY_JOB_NOT_FOUND' } });
    expect((await gateway.app.inject({ method: 'GET', url: `/v1/jobs/${id}/manifest` })).statusCode).toBe(401);
  });

  it('404 when the farm has no signing key, or the job succeeded without a sidecar', async () => {
    const unsigned = await harness.gateway();
    const id = await createdJob(unsigned);
    await succeed(unsigned, id, null);
    const noKey = await manifestOf(unsigned, id);
    expect(noKey.statusCode).toBe(404);
    expect(noKey.json()).toMatchObject({ error: { code: 'GATEWAY_NO_SIGNING_KEY', message: expect.stringMatching(/no signing key \(PORTRAIT_FARM_SIGNING_KEY\)/) } });

    const keyed = await harness.gateway({ signingKey: pem });
    const before = await createdJob(keyed);
    await succeed(keyed, before, null);
    const missing = await manifestOf(keyed, before);
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'GATEWAY_MANIFEST_NOT_FOUND', message: `Job ${before} succeeded without a signed manifest: it was stitched while the farm had no signing key.` } });
  });
});

describe('POST /v1/verify', () => {
  it('reports a signed video valid and unaltered, a changed byte as altered, a never-signed one as not found', async () => {
    const gateway = await harness.gateway({ signingKey: pem });
    const verify = async (path: string): Promise<Record<string, Record<string, unknown>>> => {
      const form = upload(path);
      const answer = await gateway.app.inject({ method: 'POST', url: '/v1/verify', headers: auth(undefined, form.headers), payload: form.payload });
      expect(answer.statusCode, answer.body).toBe(200);
      return answer.json();
    };
    const good = await verify(await signed('good.mp4'));
    expect(good['manifest']).toMatchObject({ manifest: 'found', signatureValid: true, keyMatches: true, altered: false, keyId: key.keyId });
    expect(good['manifest']!['fields']).toMatchObject({ jobId: 'job_verify', consent: { attestation: true }, watermark: { payload: '0123456789abcdef' } });
    // The watermark detector runs (this test video was never watermarked).
    expect(good['watermark']).toMatchObject({ checked: true, status: 'not found' });

    const altered = await signed('altered.mp4');
    const mdat = (await topLevelBoxes(altered)).find((box) => box.type === 'mdat')!;
    const bytes = readFileSync(altered);
    bytes[mdat.offset + 100] = bytes[mdat.offset + 100]! ^ 1;
    writeFileSync(altered, bytes);
    expect((await verify(altered))['manifest']).toMatchObject({ manifest: 'found', signatureValid: true, altered: true });

    const never = await verify(clean);
    expect(never['manifest']).toMatchObject({ manifest: 'not found', signatureValid: null, altered: null });
    expect(never['summary']).toContain('manifest: not found');
  });

  it('refuses a file that is not an MP4 with GATEWAY_BAD_VIDEO, naming the problem and no folder of the gateway', async () => {
    const gateway = await harness.gateway({ signingKey: pem });
    const notMp4 = join(dir, 'not.mp4');
    writeFileSync(notMp4, 'null');
    const form = upload(notMp4);
    const answer = await gateway.app.inject({ method: 'POST', url: '/v1/verify', headers: auth(undefined, form.headers), payload: form.payload });
    expect(answer.statusCode).toBe(422);
    expect(answer.json()).toMatchObject({ error: { code: 'GATEWAY_BAD_VIDEO', message: 'The file "video" is not an MP4: a truncated box header at byte 0.' } });
    expect(answer.body).not.toContain('pf-verify-');
  });

  it('needs an API key', async () => {
    const gateway = await harness.gateway({ signingKey: pem });
    const form = upload(clean);
    expect((await gateway.app.inject({ method: 'POST', url: '/v1/verify', headers: form.headers, payload: form.payload })).statusCode).toBe(401);
  });
});

describe('the mandatory label (PORTRAIT_FARM_REQUIRE_LABEL)', () => {
  it('sets options.label on every job and refuses label false', async () => {
    const gateway = await harness.gateway({ requireLabel: true });
    const form = await jobForm({ options: { seed: 3 } });
    const created = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(undefined, form.headers), payload: form.payload });
    expect(created.statusCode, created.body).toBe(202);
    expect((await gateway.context.jobs.getById(created.json<{ id: string }>().id))!.options.label).toBe(true);
    const refused = await jobForm({ options: { label: false } });
    const answer = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(undefined, refused.headers), payload: refused.payload });
    expect(answer.statusCode).toBe(422);
    expect(answer.json()).toMatchObject({ error: { code: 'GATEWAY_BAD_OPTION', message: expect.stringMatching(/requires the visible "AI-GENERATED" label/) } });
  });

  it('leaves label as the client asks when not required', async () => {
    const gateway = await harness.gateway();
    const form = await jobForm({ options: { label: true } });
    const created = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(undefined, form.headers), payload: form.payload });
    expect((await gateway.context.jobs.getById(created.json<{ id: string }>().id))!.options).toMatchObject({ label: true });
  });
});
