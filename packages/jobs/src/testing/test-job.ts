import { createJobId } from '../job-id.ts';
import type { NewJob } from '../job-record.ts';

/** A complete NewJob for tests; override any field. */
export function testJob(overrides: Partial<NewJob> = {}): NewJob {
  const id = overrides.id ?? createJobId();
  return {
    id,
    tenantId: 'tenant-a',
    options: { fps: 25, mode: 'full', seed: 0 },
    inputs: {
      image: { key: `jobs/${id}/input/image.png`, size: 10, sha256: 'x', contentType: 'image/png', width: 64, height: 64, format: 'png' },
      audio: { key: `jobs/${id}/input/audio.wav`, size: 10, sha256: 'y', contentType: 'audio/wav', durationSeconds: 1 },
    },
    webhook: null,
    consent: { attestation: true, statement: null, at: '2025-01-01T00:00:00.000Z' },
    priority: 5,
    idempotencyKey: null,
    requestHash: 'hash-1',
    ...overrides,
  };
}
