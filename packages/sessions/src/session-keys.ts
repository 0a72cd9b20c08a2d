/**
 * Redis keys of realtime sessions under the deployment prefix (on a cluster a hash tag, so that every key a script
 * touches is in one slot).
 */
export function sessionKeys(prefix: string) {
  return {
    /** Set of the ids of workers that host sessions (members whose host key expired are dropped at placement). */
    hosts: `${prefix}:live:hosts`,
    /** Hash of a worker's capacity and stream URL; expires unless its heartbeat renews it. */
    host: (hostId: string) => `${prefix}:live:host:${hostId}`,
    /** Set of the sessions placed on a worker (waiting or streaming). */
    hostSessions: (hostId: string) => `${prefix}:live:host:${hostId}:sessions`,
    /** Hash: one session's record. */
    session: (sessionId: string) => `${prefix}:live:session:${sessionId}`,
    /** Seconds streamed by a tenant's sessions, all time (INCRBYFLOAT). */
    usage: (tenantId: string) => `${prefix}:live:usage:${tenantId}`,
    /** Pub/sub channel: a session id whose end was asked for (DELETE). */
    endChannel: `${prefix}:live:end`,
    /** Pub/sub channel: the id of a LiveKit session placed (a hint: its host sweeps for sessions to claim now). */
    startChannel: `${prefix}:live:start`,
    /** What the scripts prepend to a host or session id to name its keys. */
    hostPrefix: `${prefix}:live:host:`,
    sessionPrefix: `${prefix}:live:session:`,
  };
}

export type SessionKeys = ReturnType<typeof sessionKeys>;
