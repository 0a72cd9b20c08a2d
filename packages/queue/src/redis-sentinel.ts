import type { ConnectionOptions } from 'node:tls';
import type { RedisOptions } from 'ioredis';
import { QueueError } from './errors.ts';
import { parseHostPort } from './host-port.ts';

/**
 * Redis behind Sentinel: the connection asks the sentinels which server is the primary of `masterName`, and asks again
 * after a failover. The Redis URL then gives only the primary's password, user, database and TLS (rediss://); its host
 * and port are not used.
 */
export interface RedisSentinel {
  /** `host:port` of each sentinel (an IPv6 address in brackets). */
  readonly sentinels: readonly string[];
  /** The name the sentinels monitor the primary under (`sentinel monitor <name> ...`). */
  readonly masterName: string;
  /** The sentinels' own password (`requirepass` of the sentinels), or null when they need none. */
  readonly password: string | null;
}

/** The settings of a Sentinel deployment as the configuration gives them; all unset: no Sentinel. */
export interface RedisSentinelSettings {
  /** PORTRAIT_FARM_REDIS_SENTINELS */
  sentinels: readonly string[] | null;
  /** PORTRAIT_FARM_REDIS_SENTINEL_MASTER */
  masterName: string | null;
  /** PORTRAIT_FARM_REDIS_SENTINEL_PASSWORD */
  password: string | null;
}

function bad(message: string): QueueError {
  return new QueueError('QUEUE_BAD_OPTION', message);
}

/**
 * The Sentinel deployment the settings name, or null when they name none. Sentinels and a master name go together;
 * each sentinel must be `host:port`. Throws QUEUE_BAD_OPTION naming the variable and what it was given.
 */
export function resolveRedisSentinel(settings: RedisSentinelSettings): RedisSentinel | null {
  const sentinels = settings.sentinels ?? [];
  const { masterName, password } = settings;
  if (sentinels.length === 0) {
    if (masterName !== null) throw bad(`PORTRAIT_FARM_REDIS_SENTINEL_MASTER (${JSON.stringify(masterName)}) needs the sentinels that monitor it in PORTRAIT_FARM_REDIS_SENTINELS. Given: none.`);
    if (password !== null) throw bad('PORTRAIT_FARM_REDIS_SENTINEL_PASSWORD needs the sentinels in PORTRAIT_FARM_REDIS_SENTINELS. Given: none.');
    return null;
  }
  if (masterName === null) throw bad(`PORTRAIT_FARM_REDIS_SENTINELS (${sentinels.join(',')}) needs the name the sentinels monitor the primary under in PORTRAIT_FARM_REDIS_SENTINEL_MASTER. Given: none.`);
  for (const sentinel of sentinels) sentinelAddress(sentinel);
  return Object.freeze({ sentinels: Object.freeze([...sentinels]), masterName, password });
}

function sentinelAddress(sentinel: string): { host: string; port: number } {
  return parseHostPort(sentinel, 'PORTRAIT_FARM_REDIS_SENTINELS');
}

/** A write refused by a server that is a replica now: a primary demoted while this connection stayed on it. */
function answeredAsReplica(error: Error): boolean {
  return error.message.startsWith('READONLY');
}

/**
 * ioredis's options for a connection through Sentinel. A write that a demoted primary refuses (READONLY) reconnects
 * to the sentinels' primary and is sent again (2). ioredis's own failover detector stays off: it ends some
 * connections for good in a failover (see followSentinelFailovers, which moves them instead). With `tls` (a rediss:// URL)
 * both the sentinels and the primary are reached over TLS with it: ioredis would otherwise reach the primary in
 * plain TCP, whatever the URL says.
 */
export function sentinelConnectionOptions(sentinel: RedisSentinel, tls: ConnectionOptions | null = null): RedisOptions {
  return {
    ...(tls === null ? {} : { enableTLSForSentinelMode: true, sentinelTLS: tls }),
    sentinels: sentinel.sentinels.map(sentinelAddress),
    name: sentinel.masterName,
    reconnectOnError: (error: Error) => (answeredAsReplica(error) ? 2 : false),
    ...(sentinel.password === null ? {} : { sentinelPassword: sentinel.password }),
  };
}
