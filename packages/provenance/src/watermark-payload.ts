import { createHash } from 'node:crypto';

/** What the 64-bit watermark payload of a job is derived from. */
export interface WatermarkPayloadSource {
  jobId: string;
  tenantId: string;
  /** The model pack's version (its manifest's `version`). */
  packVersion: string;
  /** When the job was created; only its UTC date (YYYY-MM-DD) counts. */
  date: Date;
}

/** The derivation, as written into manifests. */
export const WATERMARK_PAYLOAD_DERIVATION = 'first 8 bytes of sha256("jobId|tenantId|packVersion|YYYY-MM-DD" UTC)';

/** The UTC date part (YYYY-MM-DD) the payload uses. */
export function utcDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * The job's 64-bit watermark payload: the first 8 bytes of sha256(jobId|tenantId|packVersion|UTC date). The one
 * derivation: the worker's invisible watermark embeds it and the stitcher's signed manifest names it.
 */
export function watermarkPayload(source: WatermarkPayloadSource): Buffer {
  const text = [source.jobId, source.tenantId, source.packVersion, utcDate(source.date)].join('|');
  return createHash('sha256').update(text, 'utf8').digest().subarray(0, 8);
}

/** {@link watermarkPayload} as 16 lowercase hex digits. */
export function watermarkPayloadHex(source: WatermarkPayloadSource): string {
  return watermarkPayload(source).toString('hex');
}
