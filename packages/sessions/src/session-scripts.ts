import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

/** A Lua script run with EVALSHA, falling back to EVAL once when the server does not know it yet. */
export interface LuaScript {
  source: string;
  sha: string;
}

function script(source: string): LuaScript {
  return Object.freeze({ source, sha: createHash('sha1').update(source).digest('hex') });
}

export async function runScript(redis: Redis | Cluster, lua: LuaScript, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
  try {
    return await redis.evalsha(lua.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('NOSCRIPT')) return redis.eval(lua.source, keys.length, ...keys, ...args);
    throw error;
  }
}

/**
 * Lua: brings the session's metered seconds up to `seconds` (the tenant's usage counter grows by the difference, so
 * a report repeated or out of order never counts twice).
 */
const METER = `
local function meter(sessionKey, usagePrefix, seconds)
  local tenant = redis.call('HGET', sessionKey, 'tenantId')
  local metered = tonumber(redis.call('HGET', sessionKey, 'secondsStreamed') or '0')
  if tenant and seconds > metered then
    redis.call('INCRBYFLOAT', usagePrefix .. tenant, tostring(seconds - metered))
    redis.call('HSET', sessionKey, 'secondsStreamed', tostring(seconds))
  end
end
`;

/**
 * Lua: ends a session that has not ended (metered up to `seconds`), frees its slot, keeps the record `retentionMs`
 * (without a LiveKit token nobody took).
 */
const END = `${METER}
local function endSession(sessionKey, hostSessionsKey, usagePrefix, sessionId, reason, seconds, now, retentionMs)
  local status = redis.call('HGET', sessionKey, 'status')
  if not status or status == 'ended' then return 0 end
  meter(sessionKey, usagePrefix, seconds)
  redis.call('HSET', sessionKey, 'status', 'ended', 'endReason', reason, 'endedAt', now)
  redis.call('HDEL', sessionKey, 'livekitToken')
  redis.call('SREM', hostSessionsKey, sessionId)
  redis.call('PEXPIRE', sessionKey, retentionMs)
  return 1
end
`;

/**
 * KEYS: hosts, the new session's key. ARGV: host key prefix, session key prefix, usage prefix, now, retention ms,
 * session id, token hash, record ttl ms, connectBy, tenant, the tenant's most sessions at once (0: no limit), then
 * the record's field/value pairs.
 * Counts each live host's sessions (ending those whose client never came before connectBy, dropping hosts whose key
 * expired) and the tenant's among them, refuses a tenant at its limit, else picks the host with the most free slots
 * (ties: the lowest id) and places the session there, all in one script, so two gateways placing at once never
 * overbook a host nor let a tenant past its limit.
 * Returns {1, hostId, hostUrl}, or {0, ms until the soonest slot (or the tenant's soonest session) can free up, why:
 * no_hosts, full or tenant_limit}.
 */
export const PLACE = script(`${END}
local hostPrefix, sessionPrefix, usagePrefix = ARGV[1], ARGV[2], ARGV[3]
local now, retention = tonumber(ARGV[4]), tonumber(ARGV[5])
local sessionId, tokenHash, ttl = ARGV[6], ARGV[7], tonumber(ARGV[8])
local tenant, tenantLimit = ARGV[10], tonumber(ARGV[11])
local best, bestFree, bestUrl, soonest = nil, 0, nil, nil
local tenantSessions, tenantSoonest = 0, nil
local anyHost = false
for _, host in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local hostKey = hostPrefix .. host
  local info = redis.call('HMGET', hostKey, 'capacity', 'url')
  local hostSessions = hostKey .. ':sessions'
  if not info[1] then
    redis.call('SREM', KEYS[1], host)
    for _, id in ipairs(redis.call('SMEMBERS', hostSessions)) do
      endSession(sessionPrefix .. id, hostSessions, usagePrefix, id, 'worker_lost', 0, now, retention)
    end
    redis.call('DEL', hostSessions)
  else
    anyHost = true
    local used = 0
    for _, id in ipairs(redis.call('SMEMBERS', hostSessions)) do
      local s = redis.call('HMGET', sessionPrefix .. id, 'status', 'connectBy', 'freesBy', 'tenantId')
      if not s[1] or s[1] == 'ended' then
        redis.call('SREM', hostSessions, id)
      elseif s[1] == 'waiting' and tonumber(s[2]) <= now then
        endSession(sessionPrefix .. id, hostSessions, usagePrefix, id, 'not_connected', 0, now, retention)
      else
        used = used + 1
        local frees = tonumber(s[3] or s[2])
        if not soonest or frees < soonest then soonest = frees end
        if s[4] == tenant then
          tenantSessions = tenantSessions + 1
          if not tenantSoonest or frees < tenantSoonest then tenantSoonest = frees end
        end
      end
    end
    local free = tonumber(info[1]) - used
    if free > bestFree or (free == bestFree and free > 0 and host < best) then
      best, bestFree, bestUrl = host, free, info[2]
    end
  end
end
if tenantLimit > 0 and tenantSessions >= tenantLimit then
  return {0, math.max(0, (tenantSoonest or now) - now), 'tenant_limit'}
end
if not best then
  if not anyHost then return {0, 0, 'no_hosts'} end
  return {0, math.max(0, (soonest or now) - now), 'full'}
end
local fields = {}
for i = 12, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[2], 'status', 'waiting', 'tokenHash', tokenHash, 'hostId', best, 'hostUrl', bestUrl, 'freesBy', ARGV[9], unpack(fields))
redis.call('PEXPIRE', KEYS[2], ttl)
redis.call('SADD', hostPrefix .. best .. ':sessions', sessionId)
return {1, best, bestUrl}
`);

/**
 * KEYS: the session, its host's sessions. ARGV: host id, token hash, now, usage prefix, retention ms, session id.
 * Checks a stream token and, when it is right, marks the session streaming (the token cannot be used again).
 * Returns 'ok' or why not: unknown, ended, bad_token, livekit (the session plays in a LiveKit room, which its worker
 * joins: it has no stream to connect to), used, expired.
 */
export const CLAIM = script(`${END}
local s = redis.call('HMGET', KEYS[1], 'status', 'hostId', 'tokenHash', 'connectBy', 'maxDurationSeconds', 'livekit')
if not s[1] or s[2] ~= ARGV[1] then return 'unknown' end
if s[1] == 'ended' then return 'ended' end
if s[3] ~= ARGV[2] then return 'bad_token' end
if s[6] then return 'livekit' end
if s[1] == 'streaming' then return 'used' end
local now = tonumber(ARGV[3])
if tonumber(s[4]) <= now then
  endSession(KEYS[1], KEYS[2], ARGV[4], ARGV[6], 'not_connected', 0, now, tonumber(ARGV[5]))
  return 'expired'
end
redis.call('HSET', KEYS[1], 'status', 'streaming', 'startedAt', now, 'freesBy', now + 1000 * tonumber(s[5]))
redis.call('HDEL', KEYS[1], 'livekitToken')
return 'ok'
`);

/**
 * KEYS: the host's sessions. ARGV: session key prefix, host id, now, usage prefix, retention ms.
 * Claims every LiveKit session placed on the host and still waiting: marks it streaming and takes its LiveKit token
 * out of the record (one script, so two claimers never both get a session); one past its connect-by time ends
 * not_connected instead. Returns {id1, token1, id2, token2, ...}.
 */
export const CLAIM_LIVEKIT = script(`${END}
local sessionPrefix, hostId, usagePrefix = ARGV[1], ARGV[2], ARGV[4]
local now, retention = tonumber(ARGV[3]), tonumber(ARGV[5])
local claimed = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local key = sessionPrefix .. id
  local s = redis.call('HMGET', key, 'status', 'hostId', 'livekitToken', 'connectBy', 'maxDurationSeconds')
  if s[1] == 'waiting' and s[2] == hostId and s[3] then
    if tonumber(s[4]) <= now then
      endSession(key, KEYS[1], usagePrefix, id, 'not_connected', 0, now, retention)
    else
      redis.call('HSET', key, 'status', 'streaming', 'startedAt', now, 'freesBy', now + 1000 * tonumber(s[5]))
      redis.call('HDEL', key, 'livekitToken')
      claimed[#claimed + 1] = id
      claimed[#claimed + 1] = s[3]
    end
  end
end
return claimed
`);

/** KEYS: the session. ARGV: usage prefix, seconds streamed so far. Meters a streaming session's progress. */
export const PROGRESS = script(`${METER}
if redis.call('HGET', KEYS[1], 'status') ~= 'streaming' then return 0 end
meter(KEYS[1], ARGV[1], tonumber(ARGV[2]))
return 1
`);

/** KEYS: the session, its host's sessions. ARGV: usage prefix, session id, reason, seconds, now, retention ms. */
export const END_SESSION = script(`${END}
return endSession(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]))
`);

/**
 * KEYS: the session, its host's sessions. ARGV: tenant, usage prefix, session id, now, retention ms, end channel.
 * DELETE: a waiting session ends at once; a streaming one is marked and its id published for its worker to end.
 * Returns not_found (none, or another tenant's), ended (already), or ending.
 */
export const REQUEST_END = script(`${END}
local s = redis.call('HMGET', KEYS[1], 'status', 'tenantId')
if not s[1] or s[2] ~= ARGV[1] then return 'not_found' end
if s[1] == 'ended' then return 'ended' end
if s[1] == 'waiting' then
  endSession(KEYS[1], KEYS[2], ARGV[2], ARGV[3], 'deleted', 0, tonumber(ARGV[4]), tonumber(ARGV[5]))
  return 'ended'
end
redis.call('HSET', KEYS[1], 'endRequested', '1')
redis.call('PUBLISH', ARGV[6], ARGV[3])
return 'ending'
`);
