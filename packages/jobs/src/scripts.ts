import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A Lua script run with EVALSHA, falling back to EVAL once when the server does not know it yet. */
export interface LuaScript {
  name: string;
  source: string;
  sha: string;
}

export function script(name: string, source: string): LuaScript {
  return Object.freeze({ name, source, sha: createHash('sha1').update(source).digest('hex') });
}

export async function runScript(redis: Redis, lua: LuaScript, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
  try {
    return await redis.evalsha(lua.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
      return redis.eval(lua.source, keys.length, ...keys, ...args);
    }
    throw error;
  }
}

/** How long a minute's throughput counts stay in Redis, in seconds: the ops overview shows the last 60 minutes. */
export const THROUGHPUT_TTL_SECONDS = 3 * 3600;

/**
 * KEYS: job, tenant list, tenant active set, idempotency key ('' = none), all jobs index, queued index.
 * ARGV: id, request hash, active limit (-1 = none), idempotency ttl seconds, then field/value pairs.
 * Returns {'created', id} | {'existing', id} | {'conflict', id} | {'limit', activeCount}.
 */
export const CREATE_JOB = script(
  'create-job',
  `
local id, hash, limit, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
if KEYS[4] ~= '' then
  local seen = redis.call('GET', KEYS[4])
  if seen then
    local sep = string.find(seen, '|', 1, true)
    local seenId, seenHash = string.sub(seen, 1, sep - 1), string.sub(seen, sep + 1)
    if seenHash == hash then return {'existing', seenId} end
    return {'conflict', seenId}
  end
end
if limit >= 0 then
  local active = redis.call('SCARD', KEYS[3])
  if active >= limit then return {'limit', tostring(active)} end
end
local fields = {}
for i = 5, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('ZADD', KEYS[2], 0, id)
redis.call('SADD', KEYS[3], id)
redis.call('ZADD', KEYS[5], 0, id)
redis.call('ZADD', KEYS[6], 0, id)
if KEYS[4] ~= '' then redis.call('SET', KEYS[4], id .. '|' .. hash, 'EX', ttl) end
return {'created', id}
`,
);

/**
 * KEYS: job, tenant active set, finished jobs (sorted by the time they ended, for retention), this minute's
 * throughput, the status index of the target's group, then the other groups' indexes.
 * ARGV: id, target status, now (ms), '1' when the target is terminal, comma-separated allowed previous
 * statuses, then field/value pairs to set together with the status.
 * A job that succeeds or fails counts once in the minute's throughput.
 * Returns {'applied', previous} | {'same', current} | {'rejected', current} | {'missing', ''}.
 */
export const TRANSITION = script(
  'transition',
  `
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
if ARGV[4] == '1' then
  redis.call('SREM', KEYS[2], ARGV[1])
  redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
end
for i = 6, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
redis.call('ZADD', KEYS[5], 0, ARGV[1])
if to == 'succeeded' or to == 'failed' then
  redis.call('HINCRBY', KEYS[4], to, 1)
  redis.call('EXPIRE', KEYS[4], ${THROUGHPUT_TTL_SECONDS})
end
return {'applied', current}
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
 * Removes a job's record and every index entry naming it, in one step.
 * KEYS: job, segment frames, segments done, webhook attempts, tenant list, tenant active set, finished set,
 * idempotency key ('' = none), timeline, all jobs index, then the status indexes. ARGV: id.
 * The idempotency key goes only while it still names this job. Returns 1 when the record existed, else 0.
 */
export const DELETE_JOB = script(
  'delete-job',
  `
local existed = redis.call('EXISTS', KEYS[1])
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
redis.call('ZREM', KEYS[5], ARGV[1])
redis.call('SREM', KEYS[6], ARGV[1])
redis.call('ZREM', KEYS[7], ARGV[1])
redis.call('DEL', KEYS[9])
for i = 10, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
if KEYS[8] ~= '' then
  local seen = redis.call('GET', KEYS[8])
  if seen and string.sub(seen, 1, #ARGV[1] + 1) == ARGV[1] .. '|' then redis.call('DEL', KEYS[8]) end
end
return existed
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
