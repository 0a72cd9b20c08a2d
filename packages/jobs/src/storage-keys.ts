/** Container of segment chunks: MPEG-TS, so the live HLS playlist can list chunks as they are (no init segment). */
export const CHUNK_EXTENSION = '.ts';

const CHUNK_PATTERN = /^(\d{5})\.ts$/;

/**
 * Where a job's objects live in storage. Every process uses these names: the gateway (inputs, live
 * playlist, result), workers (chunks) and the stitcher (output).
 */
export const jobStorageKeys = Object.freeze({
  /** Everything of a job (deleted as one prefix). */
  root: (jobId: string) => `jobs/${jobId}/`,
  inputPrefix: (jobId: string) => `jobs/${jobId}/input/`,
  chunkPrefix: (jobId: string) => `jobs/${jobId}/chunks/`,
  /** Chunk of segment `index`: `jobs/{id}/chunks/00007.ts` (5 digits, zero-padded). */
  chunk: (jobId: string, index: number) => `jobs/${jobId}/chunks/${String(index).padStart(5, '0')}${CHUNK_EXTENSION}`,
  /** Working files of prepare (plan, features, face analysis). */
  workPrefix: (jobId: string) => `jobs/${jobId}/work/`,
  output: (jobId: string) => `jobs/${jobId}/output.mp4`,
  /** The signed provenance manifest of the output (the same JSON as the MP4's manifest box). */
  manifest: (jobId: string) => `jobs/${jobId}/output.manifest.json`,
});

/** The segment index of a chunk key's last part ("00007.ts" -> 7), or null for anything else. */
export function chunkIndexOf(key: string): number | null {
  const match = CHUNK_PATTERN.exec(key.slice(key.lastIndexOf('/') + 1));
  return match?.[1] === undefined ? null : Number(match[1]);
}
