import { isTlsHandshakeError } from '@portrait-farm/contracts/tls-errors';
import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { QueueError } from './errors.ts';
import { sentinelConnectionOptions } from './redis-sentinel.ts';
import type { RedisSentinel } from './redis-sentinel.ts';
import { recordTlsFailure, redisTlsOptions } from './redis-tls.ts';
import { followSentinelFailovers } from './sentinel-failover-watch.ts';
import { TlsStreamConnector } from './tls-stream-connector.ts';

/**
 * What a connection is for. "worker": BullMQ Workers and anything that blocks (maxRetriesPerRequest null,
 * as BullMQ requires; commands wait for Redis to come back). "client": request handlers such as the gateway,
 * whose commands should fail fast while Redis is down (a few retries, then an error).
 */
export type ConnectionRole = 'worker' | 'client';

export interface RedisConnectionOptions {
  /** @defaultValue "client" */
  role?: ConnectionRole;
  /**
   * Client role: how long to wait for a reply before the command fails, in milliseconds.
   * @defaultValue 5000
   */
  commandTimeoutMs?: number;
  /** A name shown by CLIENT LIST. */
  connectionName?: string;
  /**
   * A PEM file of the CA that signed the Redis server's certificate (a private CA), trusted beside Node's root CAs;
   * rediss:// URLs only. @defaultValue Node's root CAs
   */
  tlsCaFile?: string | null;
  /**
   * Find the primary through these sentinels (and follow it through failovers); the URL then gives only the
   * password, user, database and TLS of the primary. @defaultValue null: the server the URL names
   */
  sentinel?: RedisSentinel | null;
}

/**
 * Deployment prefixes: letters, digits, "-" and "_", so they can be joined with ":" into key names; on Redis Cluster in
 * braces, a hash tag (see deploymentKeyPrefix).
 */
export function assertValidPrefix(prefix: string): string {
  if (!/^(?:[A-Za-z0-9_-]{1,64}|\{[A-Za-z0-9_-]{1,64}\})$/.test(prefix)) {
    throw new QueueError('QUEUE_BAD_OPTION', `Key prefix must be 1-64 letters, digits, "-" or "_" (in braces on a cluster). Received: ${JSON.stringify(prefix)}`);
  }
  return prefix;
}

/** `url` parsed, when it is a redis:// or rediss:// URL (else QUEUE_BAD_OPTION). */
function parseRedisUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new QueueError('QUEUE_BAD_OPTION', `Redis URL cannot be parsed. Received: ${JSON.stringify(url.replace(/\/\/[^@/]*@/, '//***@'))}`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new QueueError('QUEUE_BAD_OPTION', `Redis URL must start with redis:// or rediss://. Received: ${parsed.protocol}`);
  }
  return parsed;
}

/** What a connection of the role does while Redis is away: workers wait, clients fail fast. */
function roleOptions(options: RedisConnectionOptions): RedisOptions {
  return (options.role ?? 'client') === 'worker'
    ? { maxRetriesPerRequest: null, enableReadyCheck: false }
    : { maxRetriesPerRequest: 1, commandTimeout: options.commandTimeoutMs ?? 5000, connectTimeout: 3000 };
}

/**
 * The options of one server's connection for the role, with the user, password and TLS of `url` (its host is not
 * used): what a Cluster opens each node's connection with.
 */
export function redisConnectionSettings(url: string, options: RedisConnectionOptions = {}): RedisOptions {
  const parsed = parseRedisUrl(url);
  const tls = redisTlsOptions(parsed, options.tlsCaFile ?? null);
  return {
    ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(options.connectionName === undefined ? {} : { connectionName: options.connectionName }),
    ...(tls === null ? {} : { tls }),
    ...roleOptions(options),
  };
}

/**
 * Opens an ioredis connection to `redis://[user:pass@]host:port[/db]` (or rediss://, TLS), or to the primary that
 * `options.sentinel`'s sentinels name, set up for its role. A TLS
 * handshake that cannot succeed (an untrusted certificate, a server without TLS) is not retried: the connection ends,
 * its commands fail at once, and its 'error' listeners get QUEUE_REDIS_TLS naming the endpoint
 * (also `redisConnectionFailure(redis)`).
 */
export function createRedisConnection(url: string, options: RedisConnectionOptions = {}): Redis {
  const parsed = parseRedisUrl(url);
  const caFile = options.tlsCaFile ?? null;
  const tls = redisTlsOptions(parsed, caFile);
  let handshakeFailed = false;
  const common: RedisOptions = {
    lazyConnect: false,
    ...(options.connectionName === undefined ? {} : { connectionName: options.connectionName }),
    ...(tls === null ? {} : { tls }),
    // Sentinel connections have their own connector; a standalone TLS connection takes one that cannot crash.
    ...(tls !== null && options.sentinel == null ? { Connector: TlsStreamConnector as unknown as RedisOptions['Connector'] } : {}),
    retryStrategy: (times: number) => (handshakeFailed ? null : Math.min(50 * 2 ** Math.min(times, 6), 1000)),
  };
  const sentinel = options.sentinel ?? null;
  const redis = new Redis(url, { ...common, ...roleOptions(options), ...(sentinel === null ? {} : sentinelConnectionOptions(sentinel, tls)) });
  if (sentinel !== null) followSentinelFailovers(redis, sentinel, tls);
  if (tls !== null) {
    redis.on('error', (error: Error) => {
      if (handshakeFailed || !isTlsHandshakeError(error)) return;
      handshakeFailed = true;
      redis.emit('error', recordTlsFailure(redis, sentinel === null ? `rediss://${parsed.host}` : `${sentinel.masterName} (Sentinel ${sentinel.sentinels.join(',')})`, error, caFile));
    });
  }
  return redis;
}
