import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkManifest,
  findManifestBox,
  generateSigningKeyPem,
  loadPublicKey,
  loadSigningKey,
  sha256Excluding,
  signVideo,
  signVideoAndHash,
  topLevelBoxes,
  watermarkPayloadHex,
} from './index.ts';
import type { ManifestDraft, SignedManifest } from './index.ts';

let dir: string;
let clean: string;
const key = loadSigningKey(generateSigningKeyPem());

const draft: ManifestDraft = {
  generator: 'portrait-farm test',
  jobId: 'job_test',
  tenantId: 'local',
  createdAt: '2025-01-02T03:04:05.000Z',
  inputs: { image: { sha256: 'a'.repeat(64), size: 10, contentType: 'image/png' }, audio: { sha256: 'b'.repeat(64), size: 20, contentType: 'audio/wav' } },
  model: { pack: 'test-pack', version: '1.0.0' },
  options: { fps: 25, mode: 'full', seed: 0, controls: { emotion: 'happy' } },
  consent: { attestation: true, statement: null, at: '2025-01-02T03:04:05.000Z' },
  label: false,
  watermark: { payload: '0011223344556677', derivation: 'test' },
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pf-provenance-'));
  clean = join(dir, 'clean.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=10:duration=1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', '-y', clean]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function signedCopy(name: string): Promise<{ path: string; signed: SignedManifest }> {
  const path = join(dir, name);
  copyFileSync(clean, path);
  return { path, signed: await signVideo(path, draft, key) };
}

describe('the signed manifest in the MP4', () => {
  it('signVideoAndHash gives the sha256 of the whole signed file (box included) from its one read', async () => {
    const path = join(dir, 'and-hash.mp4');
    copyFileSync(clean, path);
    const { signed, fileSha256 } = await signVideoAndHash(path, draft, key);
    expect(signed.manifest.video.sha256).toBe(await sha256Excluding(clean, null));
    expect(fileSha256).toBe(createHash('sha256').update(readFileSync(path)).digest('hex'));
  });

  it('round trips: the box is appended after the media, the signature holds and the file is unaltered', async () => {
    const before = await sha256Excluding(clean, null);
    const { path, signed } = await signedCopy('round-trip.mp4');
    const boxes = await topLevelBoxes(path);
    expect(boxes.at(-1)!.type).toBe('uuid');
    expect(signed.manifest.video.sha256).toBe(before);
    const check = await checkManifest(path, loadPublicKey(key.publicKeyPem));
    expect(check).toMatchObject({ manifest: 'found', signatureValid: true, keyMatches: true, altered: false, videoSha256: before, keyId: key.keyId });
    expect(check.fields).toEqual(signed.manifest);
    expect(check.fields!.consent!.attestation).toBe(true);
    // ffprobe still reads the file
    execFileSync('ffprobe', ['-v', 'error', path]);
  });

  it('reports a byte changed in mdat as altered, the signature still valid', async () => {
    const { path } = await signedCopy('altered.mp4');
    const mdat = (await topLevelBoxes(path)).find((box) => box.type === 'mdat')!;
    const bytes = readFileSync(path);
    const at = mdat.offset + Math.floor(mdat.size / 2);
    bytes[at] = bytes[at]! ^ 0xff;
    writeFileSync(path, bytes);
    const check = await checkManifest(path, key.publicKey);
    expect(check).toMatchObject({ manifest: 'found', signatureValid: true, altered: true });
  });

  it('reports a manifest field changed as an invalid signature', async () => {
    const { path } = await signedCopy('forged.mp4');
    const bytes = readFileSync(path);
    const text = bytes.toString('latin1');
    const at = text.indexOf('"tenantId":"local"');
    expect(at).toBeGreaterThan(0);
    bytes.write('"tenantId":"locaL"', at, 'latin1');
    writeFileSync(path, bytes);
    const check = await checkManifest(path, key.publicKey);
    expect(check).toMatchObject({ manifest: 'found', signatureValid: false, altered: false });
    expect(check.fields!.tenantId).toBe('locaL');
  });

  it('says the signature is invalid under another key', async () => {
    const { path } = await signedCopy('other-key.mp4');
    const other = loadSigningKey(generateSigningKeyPem());
    expect(await checkManifest(path, other.publicKey)).toMatchObject({ manifest: 'found', signatureValid: false, keyMatches: false });
  });

  it('finds no manifest in a never-signed video, and none in a file that is not an MP4', async () => {
    expect(await findManifestBox(clean)).toBeNull();
    expect(await checkManifest(clean, key.publicKey)).toMatchObject({ manifest: 'not found', signatureValid: null, altered: null });
    const junk = join(dir, 'junk.mp4');
    writeFileSync(junk, 'not a video at all');
    expect(await checkManifest(junk, key.publicKey)).toMatchObject({ manifest: 'not found' });
  });

  it('refuses to sign a file twice', async () => {
    const { path } = await signedCopy('twice.mp4');
    await expect(signVideo(path, draft, key)).rejects.toThrow(/already carries/);
  });
});

describe('the watermark payload', () => {
  it('is the first 8 bytes of sha256(jobId|tenant|packVersion|UTC date)', async () => {
    const { createHash } = await import('node:crypto');
    const expected = createHash('sha256').update('job_1|acme|1.2.0|2025-03-04').digest('hex').slice(0, 16);
    expect(watermarkPayloadHex({ jobId: 'job_1', tenantId: 'acme', packVersion: '1.2.0', date: new Date('2025-03-04T23:59:59Z') })).toBe(expected);
  });
});
