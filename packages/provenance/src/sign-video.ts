import { sign } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { canonicalJson, MANIFEST_FORMAT } from './manifest.ts';
import type { ProvenanceManifest, SignedManifest } from './manifest.ts';
import { findManifestBox, hashExcluding, MANIFEST_BOX_UUID, manifestBoxBytes } from './mp4-boxes.ts';
import type { SigningKey } from './signing-key.ts';

/** The manifest without the fields the signer fills (format, signing time, the video's hash). */
export type ManifestDraft = Omit<ProvenanceManifest, 'format' | 'signedAt' | 'video'>;

/** Signs a manifest with the key (Ed25519 over its canonical JSON). */
export function signManifest(manifest: ProvenanceManifest, key: SigningKey): SignedManifest {
  const signature = sign(null, Buffer.from(canonicalJson(manifest), 'utf8'), key.privateKey).toString('base64');
  return { manifest, signature, algorithm: 'Ed25519', keyId: key.keyId };
}

/**
 * Signs the MP4 at `path` in place: the file's sha256 (every byte but a manifest box, of which it must have none yet)
 * goes into the manifest, which is signed and appended as a top-level uuid box. Returns what the box holds (the
 * sidecar JSON is the same object) and the sha256 of the whole signed file (box included), from the same one read.
 */
export async function signVideoAndHash(path: string, draft: ManifestDraft, key: SigningKey, now: Date = new Date()): Promise<{ signed: SignedManifest; fileSha256: string }> {
  if ((await findManifestBox(path)) !== null) throw new Error(`${path} already carries a portrait-farm manifest`);
  const hash = await hashExcluding(path, null);
  const manifest: ProvenanceManifest = {
    format: MANIFEST_FORMAT,
    ...draft,
    signedAt: now.toISOString(),
    video: { sha256: hash.copy().digest('hex'), excludes: `top-level uuid box ${MANIFEST_BOX_UUID}` },
  };
  const signed = signManifest(manifest, key);
  const box = manifestBoxBytes(Buffer.from(JSON.stringify(signed), 'utf8'));
  await appendFile(path, box);
  return { signed, fileSha256: hash.update(box).digest('hex') };
}

/** {@link signVideoAndHash} without the whole file's hash. */
export async function signVideo(path: string, draft: ManifestDraft, key: SigningKey, now: Date = new Date()): Promise<SignedManifest> {
  return (await signVideoAndHash(path, draft, key, now)).signed;
}
