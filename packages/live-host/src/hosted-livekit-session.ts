import { loadAvatarPortrait } from '@portrait-farm/job-steps';
import { startLiveKitAvatar, type LiveKitAvatarEnd, type LiveKitRtc } from '@portrait-farm/livekit-avatar';
import { prepareMeshwarp } from '@portrait-farm/renderer';
import type { SessionEndReason, SessionRecord } from '@portrait-farm/sessions';
import { startRecordedSession, type HostedSession, type HostedSessionDeps, type HostedSessionEnd } from './hosted-session.ts';

/** What a LiveKit session needs besides a hosted session's: rtc-node (or the room double in tests). */
export interface HostedLiveKitDeps extends HostedSessionDeps {
  livekitRtc: () => Promise<LiveKitRtc>;
}

/** How the room's end reads in the session's record: the agent leaving is the client closing. */
const END_REASONS: Record<LiveKitAvatarEnd, SessionEndReason> = { agent_left: 'client', disconnected: 'error', failed: 'error', closed: 'client' };

/**
 * Runs a claimed LiveKit session (`token`: the avatar's LiveKit token the claim took out of Redis): the avatar loaded as for a WebSocket session, the worker joined to the room as the
 * agent's avatar (packages/livekit-avatar) until the agent leaves, the room is lost, the session reaches its maximum
 * length, or the farm ends it. No idle timeout: an agent's silence between turns is the normal case.
 */
export function hostLiveKitSession(deps: HostedLiveKitDeps, record: SessionRecord, token: string): HostedSession {
  const livekit = record.livekit;
  if (livekit == null) throw new Error(`session ${record.id} has no LiveKit room`);
  const fps = deps.engine.pack.fps;
  let framesOut = 0;
  let endedBy: 'deleted' | 'shutdown' | null = null;
  let wake: () => void = () => {};
  const farmEnded = new Promise<void>((resolve) => (wake = resolve));

  const run = async (): Promise<HostedSessionEnd> => {
    const portrait = await loadAvatarPortrait({ storage: deps.storage, engine: deps.engine }, { tenantId: record.tenantId, avatarId: record.avatarId }, record.mode, deps.log);
    if (endedBy !== null) return { reason: endedBy, secondsStreamed: 0, summary: null };
    const prepared = prepareMeshwarp({ image: portrait.source.image, landmarks: portrait.source.landmarks, options: { headDistance: record.controls.headDistance ?? 0 } });
    const pool = deps.renderThreads.portrait(prepared);
    try {
      const avatar = await startLiveKitAvatar({
        rtc: await deps.livekitRtc(),
        url: livekit.url,
        token,
        agentIdentity: livekit.agentIdentity,
        width: prepared.width,
        height: prepared.height,
        log: (message) => deps.log(`session ${record.id}: ${message}`),
        startSession: (handlers) =>
          startRecordedSession(deps, record, { pool, neutral: portrait.neutral }, {
            onEvent: handlers.onEvent,
            onFrame: async (frame) => {
              await handlers.onFrame(frame);
              framesOut += 1;
            },
          }),
      });
      let timer: NodeJS.Timeout | undefined;
      const maxDuration = new Promise<'max_duration'>((resolve) => (timer = setTimeout(() => resolve('max_duration'), record.maxDurationSeconds * 1000)));
      const reason = await Promise.race([avatar.ended.then((end) => END_REASONS[end]), maxDuration, farmEnded.then(() => endedBy!)]);
      clearTimeout(timer);
      await avatar.close();
      return { reason, secondsStreamed: framesOut / fps, summary: null };
    } finally {
      pool.close();
    }
  };

  const ended = run().catch((error: unknown): HostedSessionEnd => {
    deps.log(`session ${record.id} failed: ${error instanceof Error ? error.message : String(error)}`);
    return { reason: 'error', secondsStreamed: framesOut / fps, summary: null };
  });
  return {
    record,
    secondsStreamed: () => framesOut / fps,
    end(reason) {
      if (endedBy !== null) return;
      endedBy = reason;
      wake();
    },
    ended,
  };
}
