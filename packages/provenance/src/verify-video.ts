import { verify, type KeyObject } from 'node:crypto';
import { canonicalJson, MANIFEST_FORMAT } from './manifest.ts';
import type { ProvenanceManifest, SignedManifest } from './manifest.ts';
import { findManifestBox, readBoxContent, sha256Excluding } from './mp4-boxes.ts';
import type { TopLevelBox } from './mp4-boxes.ts';
import { keyIdOf } from './signing-key.ts';

/** What the manifest of a video says about it. */
export interface ManifestCheck {
  /** "found", "not found" (never signed, or the box was removed) or "malformed" (a box that is not a signed manifest). */
  manifest: 'found' | 'not found' | 'malformed';
  /** Ed25519 signature over the manifest checks out with the key; null when there is nothing to check or no key. */
  signatureValid: boolean | null;
  /** The key the verifier used is the one the manifest names (its keyId); null without a key or a manifest. */
  keyMatches: boolean | null;
  /** The file's bytes (manifest box excluded) differ from the hash the manifest names; null without a manifest. */
  altered: boolean | null;
  /** sha256 of the file as it is, manifest box excluded. */
  videoSha256: string | null;
  keyId: string | null;
  /** The manifest's fields, as read (present even when the signature fails, to show what was claimed). */
  fields: ProvenanceManifest | null;
  /** Why something could not be checked, or null. */
  problem: string | null;
}

function parseSigned(content: Buffer): SignedManifest | null {
  try {
    const value = JSON.parse(content.toString('utf8')) as Partial<SignedManifest>;
    const manifest = value.manifest as Partial<ProvenanceManifest> | undefined;
    if (typeof value.signature !== 'string' || manifest === undefined || manifest === null || manifest.format !== MANIFEST_FORMAT) return null;
    if (typeof manifest.video?.sha256 !== 'string') return null;
    return value as SignedManifest;
  } catch {
    return null;
  }
}

function signatureHolds(signed: SignedManifest, key: KeyObject): boolean {
  try {
    return verify(null, Buffer.from(canonicalJson(signed.manifest), 'utf8'), key, Buffer.from(signed.signature, 'base64'));
  } catch {
    return false;
  }
}

const EMPTY: Omit<ManifestCheck, 'manifest' | 'problem'> = { signatureValid: null, keyMatches: null, altered: null, videoSha256: null, keyId: null, fields: null };

/**
 * Checks the signed manifest of an MP4: found or not, the signature with `publicKey` (null: not checked), and whether
 * the file changed after signing (its hash, manifest box excluded, against the one signed).
 */
export async function checkManifest(path: string, publicKey: KeyObject | null): Promise<ManifestCheck> {
  let box: TopLevelBox | null;
  try {
    box = await findManifestBox(path);
  } catch (error) {
    return { manifest: 'not found', ...EMPTY, problem: (error as Error).message };
  }
  if (box === null) return { manifest: 'not found', ...EMPTY, videoSha256: await sha256Excluding(path, null), problem: null };
  const [signed, videoSha256] = await Promise.all([readBoxContent(path, box).then(parseSigned), sha256Excluding(path, box)]);
  if (signed === null) return { manifest: 'malformed', ...EMPTY, videoSha256, problem: 'the manifest box does not hold a signed portrait-farm manifest' };
  return {
    manifest: 'found',
    signatureValid: publicKey === null ? null : signatureHolds(signed, publicKey),
    keyMatches: publicKey === null ? null : keyIdOf(publicKey) === signed.keyId,
    altered: videoSha256 !== signed.manifest.video.sha256,
    videoSha256,
    keyId: signed.keyId,
    fields: signed.manifest,
    problem: publicKey === null ? 'no public key given: the signature was not checked' : null,
  };
}
