/** The format tag of a manifest. */
export const MANIFEST_FORMAT = 'portrait-farm-manifest/1';

/** One input as the manifest names it. */
export interface ManifestInput {
  sha256: string;
  size: number;
  contentType: string | null;
}

/** The submitter's consent attestation, as the job recorded it. */
export interface ManifestConsent {
  attestation: true;
  statement: string | null;
  at: string;
}

/** What the stitcher signs: the job that made the video and the video's own hash. */
export interface ProvenanceManifest {
  format: typeof MANIFEST_FORMAT;
  generator: string;
  jobId: string;
  tenantId: string;
  /** When the job was created (ISO 8601). */
  createdAt: string;
  /** When the manifest was signed (ISO 8601). */
  signedAt: string;
  inputs: { image: ManifestInput; audio: ManifestInput };
  model: { pack: string; version: string } | null;
  /** The job's render options (controls included) as the job record keeps them. */
  options: Record<string, unknown>;
  consent: ManifestConsent | null;
  /** Whether a visible "AI-generated" label was drawn on the frames. */
  label: boolean;
  watermark: { payload: string; derivation: string };
  /** sha256 of every byte of the MP4 except the manifest box. */
  video: { sha256: string; excludes: string };
}

/** What the manifest box holds (JSON, UTF-8): the manifest, its Ed25519 signature and the key's id. */
export interface SignedManifest {
  manifest: ProvenanceManifest;
  /** Ed25519 over {@link canonicalJson}(manifest), base64. */
  signature: string;
  algorithm: 'Ed25519';
  /** sha256 of the public key's SPKI DER, first 16 hex digits. */
  keyId: string;
}

/** JSON with object keys sorted at every level: the bytes that are signed. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
