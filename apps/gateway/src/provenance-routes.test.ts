import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKeyPem, loadSigningKey, signVideo, topLevelBoxes } from '@portrait-farm/provenance';
import type { ManifestDraft } from '@portrait-farm/provenance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartBody } from './testing/multipart-body.ts';
import { auth, GatewayHarness, jobForm } from './testing/gateway-harness.ts';

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
