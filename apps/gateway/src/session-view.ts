import type { SessionRecord } from '@portrait-farm/sessions';
import { SESSION_FPS } from './session-components.ts';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** A session as the API shows it (the Session schema). */
export function sessionView(publicBaseUrl: string, record: SessionRecord) {
  return {
    id: record.id,
    status: record.status,
    avatar: record.avatarId,
    options: {
      inputSampleRate: record.inputSampleRate,
      latency: record.latency,
      mode: record.mode,
      fps: SESSION_FPS,
      seed: record.seed,
      controls: record.controls,
      idleTimeoutSeconds: record.idleTimeoutSeconds,
      maxDurationSeconds: record.maxDurationSeconds,
      ...(record.livekit == null ? {} : { livekit: { url: record.livekit.url, agent_identity: record.livekit.agentIdentity } }),
    },
    createdAt: iso(record.createdAt)!,
    expiresAt: iso(record.connectBy)!,
    startedAt: iso(record.startedAt),
    endedAt: iso(record.endedAt),
    endReason: record.endReason,
    secondsStreamed: record.secondsStreamed,
    urls: { self: `${publicBaseUrl}/v1/sessions/${record.id}` },
  };
}
