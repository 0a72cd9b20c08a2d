import type { LiveLatencyMode, OutputMode, RenderControls } from '@portrait-farm/contracts';

export type SessionStatus = 'waiting' | 'streaming' | 'ended';

/**
 * Why a session ended: the client closed, went quiet, reached the maximum length, failed; was deleted through the
 * API; its worker shut down; never connected before its token expired; or its worker vanished without a word.
 */
export type SessionEndReason = 'client' | 'idle_timeout' | 'max_duration' | 'error' | 'deleted' | 'shutdown' | 'not_connected' | 'worker_lost';

/** The LiveKit room a session plays in as an agent's avatar, as its record shows it (never the token). */
export interface LiveKitRoom {
  /** The LiveKit server (ws:// or wss://). */
  url: string;
  /** The agent participant whose speech the avatar plays. */
  agentIdentity: string;
}

/** A session played in a LiveKit room as an agent's avatar instead of over the farm's WebSocket. */
export interface LiveKitTransport extends LiveKitRoom {
  /**
   * The avatar participant's access token (minted by the agent's side, e.g. @portrait-farm/livekit-plugin). Kept in
   * a field of its own until the session's host claims it (or the session ends), then deleted.
   */
  token: string;
}

/** What a session renders and how long it may last, as the gateway resolved it. */
export interface SessionOptions {
  avatarId: string;
  mode: OutputMode;
  inputSampleRate: 16000 | 24000;
  /** Delay against lip accuracy (packages/live's latency modes). */
  latency: LiveLatencyMode;
  controls: RenderControls;
  seed: number;
  idleTimeoutSeconds: number;
  maxDurationSeconds: number;
  /** The LiveKit room it plays in, or null (absent): a WebSocket session. */
  livekit?: LiveKitTransport | null;
}

/** One session as Redis keeps it. Times in ms since the epoch. */
export interface SessionRecord extends Omit<SessionOptions, 'livekit'> {
  /** The LiveKit room it plays in (without the avatar's token), or null (absent): a WebSocket session. */
  livekit?: LiveKitRoom | null;
  id: string;
  tenantId: string;
  status: SessionStatus;
  hostId: string;
  /** The WebSocket URL of the worker's session server, without the path. */
  hostUrl: string;
  createdAt: number;
  /** The client must connect before this, or the session ends (`not_connected`) and its slot is free again. */
  connectBy: number;
  startedAt: number | null;
  endedAt: number | null;
  endReason: SessionEndReason | null;
  secondsStreamed: number;
  /** DELETE asked for its end while it streamed. */
  endRequested: boolean;
}

const numberOrNull = (value: string | undefined): number | null => (value === undefined || value === '' ? null : Number(value));

/** The record's hash fields (tokenHash is written apart and never read back; the LiveKit token is only taken by the claim). */
export type NewSession = Omit<SessionRecord, 'status' | 'hostId' | 'hostUrl' | 'startedAt' | 'endedAt' | 'endReason' | 'secondsStreamed' | 'endRequested' | 'livekit'> & {
  livekit?: LiveKitTransport | null;
};

/** The hash fields a new session is written with (its host is chosen by the placement script). */
export function encodeSession(record: NewSession): string[] {
  return [
    'id', record.id,
    'tenantId', record.tenantId,
    'avatarId', record.avatarId,
    'mode', record.mode,
    'inputSampleRate', String(record.inputSampleRate),
    'latency', record.latency,
    'controls', JSON.stringify(record.controls),
    'seed', String(record.seed),
    'idleTimeoutSeconds', String(record.idleTimeoutSeconds),
    'maxDurationSeconds', String(record.maxDurationSeconds),
    'createdAt', String(record.createdAt),
    'connectBy', String(record.connectBy),
    ...(record.livekit == null
      ? []
      : ['livekit', JSON.stringify({ url: record.livekit.url, agentIdentity: record.livekit.agentIdentity }), 'livekitToken', record.livekit.token]),
  ];
}

/** The room's url and agent (a record written before the token had a field of its own had it here: left out). */
function liveKitRoom(json: string): LiveKitRoom {
  const room = JSON.parse(json) as LiveKitRoom;
  return { url: room.url, agentIdentity: room.agentIdentity };
}

export function decodeSession(hash: Record<string, string>): SessionRecord | null {
  if (hash['id'] === undefined) return null;
  return {
    id: hash['id'],
    tenantId: hash['tenantId']!,
    avatarId: hash['avatarId']!,
    mode: hash['mode'] as OutputMode,
    inputSampleRate: Number(hash['inputSampleRate']) as 16000 | 24000,
    // Records written before the latency modes: the default.
    latency: (hash['latency'] ?? 'quality') as LiveLatencyMode,
    controls: JSON.parse(hash['controls'] ?? '{}') as RenderControls,
    seed: Number(hash['seed']),
    idleTimeoutSeconds: Number(hash['idleTimeoutSeconds']),
    maxDurationSeconds: Number(hash['maxDurationSeconds']),
    status: hash['status'] as SessionStatus,
    hostId: hash['hostId']!,
    hostUrl: hash['hostUrl']!,
    createdAt: Number(hash['createdAt']),
    connectBy: Number(hash['connectBy']),
    startedAt: numberOrNull(hash['startedAt']),
    endedAt: numberOrNull(hash['endedAt']),
    endReason: (hash['endReason'] ?? null) as SessionEndReason | null,
    secondsStreamed: Number(hash['secondsStreamed'] ?? 0),
    endRequested: hash['endRequested'] === '1',
    ...(hash['livekit'] === undefined ? {} : { livekit: liveKitRoom(hash['livekit']) }),
  };
}
