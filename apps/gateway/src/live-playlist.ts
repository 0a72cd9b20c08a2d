import { chunkIndexOf, isTerminal, jobStorageKeys } from '@portrait-farm/jobs';
import type { JobPlan, JobRecord } from '@portrait-farm/jobs';
import type { ObjectStorage } from '@portrait-farm/storage';

export interface PlaylistChunk {
  index: number;
  durationSeconds: number;
  uri: string;
}

/**
 * An HLS media playlist (EVENT type) of the chunks finished so far: the longest run of consecutive chunks
 * from segment 0 (a player cannot skip a hole), durations from the job's plan. #EXT-X-ENDLIST once the job
 * has ended or every planned chunk is present. The target duration is the longest planned chunk's, so that it stays
 * the same from the first chunk to the last (RFC 8216 forbids changing it; the plan's chunks grow).
 */
export function renderPlaylist(chunks: readonly PlaylistChunk[], ended: boolean, longestChunkSeconds: number): string {
  const target = Math.max(1, Math.ceil(longestChunkSeconds));
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${target}`, '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:EVENT'];
  for (const chunk of chunks) lines.push(`#EXTINF:${chunk.durationSeconds.toFixed(3)},`, chunk.uri);
  if (ended) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

/** Lists the job's chunks in storage and builds its live playlist with presigned chunk URLs. */
export async function livePlaylist(storage: ObjectStorage, record: JobRecord, presignSeconds: number): Promise<string> {
  const plan = record.plan;
  if (plan === null) return renderPlaylist([], isTerminal(record.status), 0);
  const present = new Set<number>();
  for (const key of await storage.list(jobStorageKeys.chunkPrefix(record.id))) {
    const index = chunkIndexOf(key);
    if (index !== null) present.add(index);
  }
  const chunks: PlaylistChunk[] = [];
  const secondsOf = (segment: JobPlan['segments'][number]): number => (segment.frameEnd - segment.frameStart) / plan.fps;
  for (const segment of [...plan.segments].sort((a, b) => a.index - b.index)) {
    if (!present.has(segment.index)) break;
    const key = jobStorageKeys.chunk(record.id, segment.index);
    chunks.push({
      index: segment.index,
      durationSeconds: secondsOf(segment),
      uri: await storage.presignGet(key, { expiresSeconds: presignSeconds }),
    });
  }
  const complete = plan.segments.length > 0 && chunks.length === plan.segments.length;
  const ended = complete || isTerminal(record.status);
  const longest = Math.max(0, ...plan.segments.map(secondsOf));
  return renderPlaylist(record.status === 'canceled' || record.status === 'failed' ? [] : chunks, ended, longest);
}
