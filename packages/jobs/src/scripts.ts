import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { NO_IDEMPOTENCY_KEY_SUFFIX } from './keys.ts';

/** A Lua script run with EVALSHA, falling back to EVAL once when the server does not know it yet. */
export interface LuaScript {
  name: string;
  source: string;
  sha: string;
}

export function script(name: string, source: string): LuaScript {
  return Object.freeze({ name, source, sha: createHash('sha1').update(source).digest('hex') });
}

export async function runScript(redis: Redis | Cluster, lua: LuaScript, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
  try {
    return await redis.evalsha(lua.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
      return redis.eval(lua.source, keys.length, ...keys, ...args);
    }
    throw error;
  }
}

/** Lua function: whether a key name is the stand-in for a job without an Idempotency-Key. */
const IS_NO_KEY = `
local function isNoKey(key) return string.sub(key, -${NO_IDEMPOTENCY_KEY_SUFFIX.length}) == '${NO_IDEMPOTENCY_KEY_SUFFIX}' end
`;

/** How long a minute's throughput counts stay in Redis, in seconds: the ops overview shows the last 60 minutes. */
export const THROUGHPUT_TTL_SECONDS = 3 * 3600;

/**
 * Lua function moving the tenant's held jobs into its active set while it runs fewer than its concurrency limit
 * (the key the gateway keeps it in), head of the hold first; each released id goes to the releasing set (scored by
 * `now`), from which a dispatcher queues its prepare step. Returns how many it released.
 */
const FILL_FROM_HOLD = `
local function fillFromHold(active, held, concurrency, releasing, now)
  local limit = tonumber(redis.call('GET', concurrency) or '-1')
  local released = 0
  if limit < 0 then return 0 end
  while redis.call('SCARD', active) < limit do
    local head = redis.call('ZRANGE', held, 0, 0)[1]
    if not head then break end
    redis.call('ZREM', held, head)
    redis.call('SADD', active, head)
    redis.call('ZADD', releasing, now, head)
    released = released + 1
  end
  return released
end
`;

/**
 * KEYS: job, tenant list, tenant active set, idempotency key (the noIdempotencyKey stand-in = none), all jobs index, queued index, tenant's held
 * set, its hold sequence, its concurrency limit, the releasing set.
 * ARGV: id, request hash, active limit (-1 = none), idempotency ttl seconds, held cap (-1 = none), API priority
 * (1-10), now (ms), then field/value pairs.
 * A job beyond the limit (or behind held ones) is held, ordered by priority (highest first) then arrival.
 * Returns {'created', id, released} | {'held', id, released} | {'existing', id} | {'conflict', id} | {'held-full', heldCount}.
 */
export const CREATE_JOB = script(
  'create-job',
  `${FILL_FROM_HOLD}${IS_NO_KEY}
local id, hash, limit, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local maxHeld, priority, now = tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7]
if not isNoKey(KEYS[4]) then
  local seen = redis.call('GET', KEYS[4])
  if seen then
    local sep = string.find(seen, '|', 1, true)
    local seenId, seenHash = string.sub(seen, 1, sep - 1), string.sub(seen, sep + 1)
    if seenHash == hash then return {'existing', seenId} end
    return {'conflict', seenId}
  end
end
local released = 0
local hold = false
if limit >= 0 then
  redis.call('SET', KEYS[9], limit)
  released = fillFromHold(KEYS[3], KEYS[7], KEYS[9], KEYS[10], now)
  if redis.call('SCARD', KEYS[3]) >= limit or redis.call('ZCARD', KEYS[7]) > 0 then
    local heldCount = redis.call('ZCARD', KEYS[7])
    if maxHeld >= 0 and heldCount >= maxHeld then return {'held-full', tostring(heldCount), released} end
    hold = true
  end
end
local fields = {}
for i = 8, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('ZADD', KEYS[2], 0, id)
redis.call('ZADD', KEYS[5], 0, id)
redis.call('ZADD', KEYS[6], 0, id)
if not isNoKey(KEYS[4]) then redis.call('SET', KEYS[4], id .. '|' .. hash, 'EX', ttl) end
if hold then
  local sequence = redis.call('INCR', KEYS[8])
  redis.call('ZADD', KEYS[7], string.format('%.0f', (11 - priority) * 1000000000000 + sequence), id)
  return {'held', id, released}
end
redis.call('SADD', KEYS[3], id)
return {'created', id, released}
`,
);

/**
 * KEYS: job, tenant active set, finished jobs (sorted by the time they ended, for retention), this minute's
 * throughput, the tenant's held set, its concurrency limit, the releasing set, the status index of the target's
 * group, then the other groups' indexes.
 * ARGV: id, target status, now (ms), '1' when the target is terminal, comma-separated allowed previous
 * statuses, then field/value pairs to set together with the status.
 * A job that succeeds or fails counts once in the minute's throughput. A job that ends leaves the active set (or the
 * hold), and held jobs of its tenant take the places free.
 * Returns {'applied', previous, released} | {'same', current} | {'rejected', current} | {'missing', ''}.
 */
export const TRANSITION = script(
  'transition',
  `${FILL_FROM_HOLD}
local current = redis.call('HGET', KEYS[1], 'status')
if not current then return {'missing', ''} end
local to = ARGV[2]
if current == to then return {'same', current} end
local allowed = false
for from in string.gmatch(ARGV[5], '[^,]+') do
  if from == current then allowed = true end
end
if not allowed then return {'rejected', current} end
local fields = {'status', to, 'updatedAt', ARGV[3], 'at:' .. to, ARGV[3]}
for i = 6, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
local released = 0
if ARGV[4] == '1' then
  redis.call('SREM', KEYS[2], ARGV[1])
  redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
  redis.call('ZREM', KEYS[5], ARGV[1])
  redis.call('ZREM', KEYS[7], ARGV[1])
  released = fillFromHold(KEYS[2], KEYS[5], KEYS[6], KEYS[7], ARGV[3])
end
for i = 9, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
redis.call('ZADD', KEYS[8], 0, ARGV[1])
if to == 'succeeded' or to == 'failed' then
  redis.call('HINCRBY', KEYS[4], to, 1)
  redis.call('EXPIRE', KEYS[4], ${THROUGHPUT_TTL_SECONDS})
end
return {'applied', current, released}
`,
);

/**
 * KEYS: job, segment frames hash, segments done set, this minute's throughput.
 * ARGV: segment index, frames done in that segment, '1' when the segment is complete, now (ms).
 * Frames only count up (a retried segment re-reporting fewer frames changes nothing) and a segment counts
 * as done once, so workers retrying a segment never inflate the totals (nor the minute's frames).
 * Returns {segmentsDone, framesDone}, or nil when the job does not exist.
 */
export const SEGMENT_PROGRESS = script(
  'segment-progress',
  `
if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
local index, frames = ARGV[1], tonumber(ARGV[2])
local before = tonumber(redis.call('HGET', KEYS[2], index) or '0')
if frames > before then
  redis.call('HSET', KEYS[2], index, frames)
  redis.call('HINCRBY', KEYS[1], 'framesDone', frames - before)
  redis.call('HINCRBY', KEYS[4], 'frames', frames - before)
  redis.call('EXPIRE', KEYS[4], ${THROUGHPUT_TTL_SECONDS})
end
if ARGV[3] == '1' and redis.call('SADD', KEYS[3], index) == 1 then
  redis.call('HINCRBY', KEYS[1], 'segmentsDone', 1)
end
redis.call('HSET', KEYS[1], 'updatedAt', ARGV[4])
return {tonumber(redis.call('HGET', KEYS[1], 'segmentsDone')), tonumber(redis.call('HGET', KEYS[1], 'framesDone'))}
`,
);

/**
 * Removes a job's record and every index entry naming it, in one step; held jobs of its tenant take a place it
 * freed.
 * KEYS: job, segment frames, segments done, webhook attempts, tenant list, tenant active set, finished set,
 * idempotency key (the noIdempotencyKey stand-in = none), timeline, all jobs index, the tenant's held set, its concurrency limit, the releasing
 * set, then the status indexes. ARGV: id, now (ms).
 * The idempotency key goes only while it still names this job. Returns {existed (1 or 0), released}.
 */
export const DELETE_JOB = script(
  'delete-job',
  `${FILL_FROM_HOLD}${IS_NO_KEY}
local existed = redis.call('EXISTS', KEYS[1])
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
redis.call('ZREM', KEYS[5], ARGV[1])
redis.call('SREM', KEYS[6], ARGV[1])
redis.call('ZREM', KEYS[7], ARGV[1])
redis.call('DEL', KEYS[9])
redis.call('ZREM', KEYS[10], ARGV[1])
redis.call('ZREM', KEYS[11], ARGV[1])
redis.call('ZREM', KEYS[13], ARGV[1])
for i = 14, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
if not isNoKey(KEYS[8]) then
  local seen = redis.call('GET', KEYS[8])
  if seen and string.sub(seen, 1, #ARGV[1] + 1) == ARGV[1] .. '|' then redis.call('DEL', KEYS[8]) end
end
local released = fillFromHold(KEYS[6], KEYS[11], KEYS[12], KEYS[13], ARGV[2])
return {existed, released}
`,
);

/**
 * Takes up to ARGV[3] released jobs due by now (ARGV[1], ms) for a dispatcher, pushing each one's due time ARGV[2] ms
 * ahead: a dispatcher that dies before queuing one leaves it to another after that lease. KEYS: releasing set.
 * Returns the ids taken.
 */
export const CLAIM_RELEASED = script(
  'claim-released',
  `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local due = string.format('%.0f', tonumber(ARGV[1]) + tonumber(ARGV[2]))
for _, id in ipairs(ids) do redis.call('ZADD', KEYS[1], due, id) end
return ids
`,
);

/**
 * Gives back one count of a fixed window (a request that turned out not to use its quota), never below 0.
 * KEYS: window key. Returns the count after.
 */
export const RATE_RELEASE = script(
  'rate-release',
  `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count <= 0 then return 0 end
return redis.call('DECR', KEYS[1])
`,
);

/**
 * Fixed-window counter. KEYS: window key. ARGV: window length in seconds, how many to count.
 * Returns {count, ttl seconds left}.
 */
export const RATE_WINDOW = script(
  'rate-window',
  `
local count = redis.call('INCRBY', KEYS[1], ARGV[2])
if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('TTL', KEYS[1])}
`,
);
