import type { Cluster, Redis } from 'ioredis';
import { sessionKeys, type SessionKeys } from './session-keys.ts';
import { createSessionId, createSessionToken, hashSessionToken } from './session-id.ts';
import { decodeSession, encodeSession, type SessionEndReason, type SessionOptions, type SessionRecord } from './session-record.ts';
import { CLAIM, CLAIM_LIVEKIT, END_SESSION, PLACE, PROGRESS, REQUEST_END, runScript } from './session-scripts.ts';

/** Options of {@link SessionStore}. */
export interface SessionStoreOptions {
  /** How long an ended session's record stays readable (ms). @defaultValue 24 h */
  retentionMs?: number;
  now?: () => number;
}

/** A session placed on a host, with the one-time token its client connects with (the store keeps only its hash). */
export interface PlacedSession {
  record: SessionRecord;
  token: string;
}

/**
 * Why no session was placed: no worker hosts sessions at all (none registered, or all gone), every host is full, or
 * the tenant already has its most sessions at once.
 */
export type NoRoomReason = 'no_hosts' | 'full' | 'tenant_limit';

/** A placement refused, and how soon trying again can succeed. */
export interface NoRoom {
  reason: NoRoomReason;
  /** How soon the soonest slot (for tenant_limit: the tenant's soonest session) can free up (ms; 0 when it may any moment, or unknown). */
  freeInMs: number;
}


/** A LiveKit session its host claimed, with the avatar's token (no longer in Redis). */
export interface ClaimedLiveKitSession {
  sessionId: string;
  token: string;
}

export type ClaimResult = 'ok' | 'unknown' | 'ended' | 'bad_token' | 'livekit' | 'used' | 'expired';
export type RequestEndResult = 'not_found' | 'ended' | 'ending';

/**
 * Realtime session records in Redis: placement on a host with room (one Lua script, so that concurrent placements
 * never overbook), the one-time stream token, the end (which frees the slot) and per-tenant metering of seconds
 * streamed. Every read and end is tenant-scoped where a tenant asks.
 */
export class SessionStore {
  readonly keys: SessionKeys;
  private readonly retentionMs: number;
  private readonly now: () => number;

  constructor(
    private readonly redis: Redis | Cluster,
    prefix: string,
    options: SessionStoreOptions = {},
  ) {
    this.keys = sessionKeys(prefix);
    this.retentionMs = options.retentionMs ?? 24 * 3600 * 1000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Places a new session of `tenantId` on the host with the most free slots, unless the tenant already has
   * `tenantLimit` sessions waiting or streaming (0: no limit); its client must connect within `connectWithinMs`.
   */
  async place(tenantId: string, options: SessionOptions, connectWithinMs: number, tenantLimit = 0): Promise<PlacedSession | NoRoom> {
    const id = createSessionId();
    const token = createSessionToken();
    const createdAt = this.now();
    const connectBy = createdAt + connectWithinMs;
    const ttl = connectWithinMs + options.maxDurationSeconds * 1000 + this.retentionMs;
    const fields = encodeSession({ ...options, id, tenantId, createdAt, connectBy });
    const args = [this.keys.hostPrefix, this.keys.sessionPrefix, this.keys.usage(''), createdAt, this.retentionMs, id, hashSessionToken(token), ttl, connectBy, tenantId, tenantLimit, ...fields];
    const result = (await runScript(this.redis, PLACE, [this.keys.hosts, this.keys.session(id)], args)) as [number, string | number, string];
    if (result[0] === 0) return { reason: result[2] as NoRoomReason, freeInMs: Math.max(0, Number(result[1])) };
    const record = await this.read(id);
    if (record === null) throw new Error(`session ${id} vanished right after it was placed`);
    return { record, token };
  }

  /**
   * The tenant's session, or null (unknown, expired, or another tenant's). A live session whose host is gone reads
   * as ended (worker_lost), a waiting one past its connect-by time as ended (not_connected).
   */
  async get(tenantId: string, sessionId: string): Promise<SessionRecord | null> {
    const record = await this.read(sessionId);
    if (record === null || record.tenantId !== tenantId) return null;
    if (record.status === 'ended') return record;
    if ((await this.redis.exists(this.keys.host(record.hostId))) === 0) await this.end(record, 'worker_lost', record.secondsStreamed);
    else if (record.status === 'waiting' && record.connectBy <= this.now()) await this.end(record, 'not_connected', 0);
    else return record;
    return this.read(sessionId);
  }

  /** Any tenant's session (the host reads the record of a session it claimed). */
  async read(sessionId: string): Promise<SessionRecord | null> {
    return decodeSession(await this.redis.hgetall(this.keys.session(sessionId)));
  }

  /** Checks a stream token on the host the session was placed on; when right, the session is streaming and the token spent. */
  async claim(hostId: string, sessionId: string, token: string): Promise<ClaimResult> {
    const args = [hostId, hashSessionToken(token), this.now(), this.keys.usage(''), this.retentionMs, sessionId];
    return (await runScript(this.redis, CLAIM, [this.keys.session(sessionId), this.keys.hostSessions(hostId)], args)) as ClaimResult;
  }

  /**
   * Claims every LiveKit session placed on the host and still waiting (each for one claimer only), taking the
   * avatar's LiveKit token out of its record; a session past its connect-by time ends `not_connected` instead.
   */
  async claimLiveKit(hostId: string): Promise<ClaimedLiveKitSession[]> {
    const args = [this.keys.sessionPrefix, hostId, this.now(), this.keys.usage(''), this.retentionMs];
    const flat = (await runScript(this.redis, CLAIM_LIVEKIT, [this.keys.hostSessions(hostId)], args)) as string[];
    const claimed: ClaimedLiveKitSession[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) claimed.push({ sessionId: flat[i]!, token: flat[i + 1]! });
    return claimed;
  }

  /**
   * Tells the hosts that a LiveKit session was placed (its id on the start channel), so that its host claims it
   * now rather than at its next sweep. Returns how many subscribers heard it (0 is no loss: hosts also sweep).
   */
  async announceLiveKit(placed: PlacedSession): Promise<number> {
    return Number(await this.redis.publish(this.keys.startChannel, placed.record.id));
  }

  /** Meters a streaming session up to `seconds` streamed (a repeated or older report adds nothing). */
  async progress(sessionId: string, seconds: number): Promise<void> {
    await runScript(this.redis, PROGRESS, [this.keys.session(sessionId)], [this.keys.usage(''), seconds]);
  }

  /** Ends a session (metered up to `seconds`) and frees its slot; false when it had already ended. */
  async end(session: Pick<SessionRecord, 'id' | 'hostId'>, reason: SessionEndReason, seconds: number): Promise<boolean> {
    const args = [this.keys.usage(''), session.id, reason, seconds, this.now(), this.retentionMs];
    return (await runScript(this.redis, END_SESSION, [this.keys.session(session.id), this.keys.hostSessions(session.hostId)], args)) === 1;
  }

  /** DELETE: a waiting session ends now; a streaming one is asked to end (its host hears it on the end channel). */
  async requestEnd(tenantId: string, sessionId: string): Promise<RequestEndResult> {
    const record = await this.read(sessionId);
    if (record === null || record.tenantId !== tenantId) return 'not_found';
    const args = [tenantId, this.keys.usage(''), sessionId, this.now(), this.retentionMs, this.keys.endChannel];
    return (await runScript(this.redis, REQUEST_END, [this.keys.session(sessionId), this.keys.hostSessions(record.hostId)], args)) as RequestEndResult;
  }

  /** Ids of the sessions placed on a host that have not ended (waiting or streaming). */
  async placedOn(hostId: string): Promise<string[]> {
    return this.redis.smembers(this.keys.hostSessions(hostId));
  }

  /** Seconds streamed by the tenant's sessions so far. */
  async usageSeconds(tenantId: string): Promise<number> {
    return Number((await this.redis.get(this.keys.usage(tenantId))) ?? 0);
  }
}

export function isPlaced(result: PlacedSession | NoRoom): result is PlacedSession {
  return 'token' in result;
}
