import type { JobRecord } from '@portrait-farm/jobs';
import { WATERMARK_PAYLOAD_DERIVATION, watermarkPayload, watermarkPayloadHex } from '@portrait-farm/provenance';
import type { WatermarkPayloadSource } from '@portrait-farm/provenance';
import type { ManifestDraft } from '@portrait-farm/provenance';

/** Stands in for the pack version of plans made before the worker recorded its pack. */
const UNKNOWN_PACK_VERSION = 'unknown';

/**
 * What a job's watermark payload is derived from: its id, tenant, the pack version its plan recorded and its creation
 * date. The one source of the payload the worker embeds (processSegment) and the manifest names (jobManifestDraft).
 */
export function jobWatermarkSource(record: JobRecord): WatermarkPayloadSource {
  return { jobId: record.id, tenantId: record.tenantId, packVersion: record.plan?.pack?.version ?? UNKNOWN_PACK_VERSION, date: record.createdAt };
}

/** The job's 64-bit watermark payload (8 bytes), embedded by the worker in every frame. */
export function jobWatermarkPayload(record: JobRecord): Uint8Array {
  return new Uint8Array(watermarkPayload(jobWatermarkSource(record)));
}

/**
 * The provenance manifest of a job's video, before the stitcher adds the video's hash and signs it: the inputs'
 * hashes, the model pack, the options (controls included), the consent, the label and the watermark payload the
 * worker embedded (the one derivation of @portrait-farm/provenance).
 */
export function jobManifestDraft(record: JobRecord): ManifestDraft {
  const pack = record.plan?.pack ?? null;
  const { image, audio } = record.inputs;
  return {
    generator: 'portrait-farm',
    jobId: record.id,
    tenantId: record.tenantId,
    createdAt: record.createdAt.toISOString(),
    inputs: {
      image: { sha256: image.sha256, size: image.size, contentType: image.contentType },
      audio: { sha256: audio.sha256, size: audio.size, contentType: audio.contentType },
    },
    model: pack === null ? null : { pack: pack.name, version: pack.version },
    options: { ...record.options },
    consent: record.consent === null ? null : { attestation: true, statement: record.consent.statement, at: record.consent.at },
    label: record.options.label === true,
    watermark: {
      payload: watermarkPayloadHex(jobWatermarkSource(record)),
      derivation: WATERMARK_PAYLOAD_DERIVATION,
    },
  };
}
