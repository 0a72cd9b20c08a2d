import type { KeyObject } from 'node:crypto';
import { checkManifest } from './verify-video.ts';
import type { ManifestCheck } from './verify-video.ts';

/** What a watermark detector (`detectWatermarkInVideo` of @portrait-farm/watermark) answers, as far as verify uses it. */
export interface WatermarkDetectionResult {
  found: boolean;
  payload: Uint8Array | null;
  confidence: number;
}

/** Detects the invisible watermark in a video file. */
export type WatermarkDetector = (path: string) => Promise<WatermarkDetectionResult>;

/** The watermark part of a verification. */
export type WatermarkCheck =
  | { checked: false; status: 'not checked (detector not installed)' }
  | {
      checked: true;
      status: 'found' | 'not found';
      /** The 64-bit payload, 16 hex digits, when found. */
      payload: string | null;
      confidence: number;
      /** The payload equals the manifest's watermark.payload; null without a found watermark or a manifest. */
      matchesManifest: boolean | null;
    }
  | { checked: true; status: 'failed'; error: string };

/** What `portrait-farm verify` and POST /v1/verify report. */
export interface VideoVerification {
  manifest: ManifestCheck;
  watermark: WatermarkCheck;
  /** One line per finding, for people. */
  summary: string[];
}

async function checkWatermark(path: string, detect: WatermarkDetector | null, manifest: ManifestCheck): Promise<WatermarkCheck> {
  if (detect === null) return { checked: false, status: 'not checked (detector not installed)' };
  try {
    const result = await detect(path);
    const payload = result.found && result.payload !== null ? Buffer.from(result.payload).toString('hex') : null;
    const signed = manifest.fields?.watermark.payload ?? null;
    return {
      checked: true,
      status: result.found ? 'found' : 'not found',
      payload,
      confidence: result.confidence,
      matchesManifest: payload === null || signed === null ? null : payload === signed,
    };
  } catch (error) {
    return { checked: true, status: 'failed', error: (error as Error).message };
  }
}

function summarise(manifest: ManifestCheck, watermark: WatermarkCheck): string[] {
  const lines: string[] = [];
  if (manifest.manifest === 'not found') lines.push(`manifest: not found${manifest.problem === null ? '' : ` (${manifest.problem})`}`);
  else if (manifest.manifest === 'malformed') lines.push(`manifest: malformed (${manifest.problem ?? ''})`);
  else {
    const f = manifest.fields!;
    lines.push(`manifest: found (job ${f.jobId}, tenant ${f.tenantId}, signed ${f.signedAt})`);
    lines.push(
      manifest.signatureValid === null ? 'signature: not checked (no public key)'
        : manifest.signatureValid ? `signature: valid (key ${manifest.keyId})`
        : `signature: INVALID${manifest.keyMatches === false ? ' (signed with another key, or the manifest was changed)' : ' (the manifest was changed after signing)'}`,
    );
    lines.push(manifest.altered === true ? 'file: ALTERED after signing (its hash differs from the signed one)' : 'file: unaltered since signing');
  }
  if (!watermark.checked) lines.push(`watermark: ${watermark.status}`);
  else if (watermark.status === 'failed') lines.push(`watermark: detection failed (${watermark.error})`);
  else if (watermark.status === 'found') {
    const match = watermark.matchesManifest === null ? '' : watermark.matchesManifest ? ', matches the manifest' : ', DIFFERS from the manifest';
    lines.push(`watermark: found, payload ${watermark.payload ?? '?'} (confidence ${watermark.confidence.toFixed(6)}${match})`);
  } else lines.push('watermark: not found');
  return lines;
}

/** Checks a video's signed manifest (with `publicKey`, or none) and its invisible watermark (with `detect`, or none). */
export async function verifyVideo(path: string, options: { publicKey: KeyObject | null; detect: WatermarkDetector | null }): Promise<VideoVerification> {
  const manifest = await checkManifest(path, options.publicKey);
  const watermark = await checkWatermark(path, options.detect, manifest);
  return { manifest, watermark, summary: summarise(manifest, watermark) };
}
