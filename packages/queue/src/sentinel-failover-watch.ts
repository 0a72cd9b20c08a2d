import type { ConnectionOptions } from 'node:tls';
import { Redis } from 'ioredis';
import { parseHostPort } from './host-port.ts';
import type { RedisSentinel } from './redis-sentinel.ts';

const SWITCH_MASTER = '+switch-master';

/** Statuses with a live socket to a server: the only ones a connection can be moved from without ending it. */
const CONNECTED = new Set(['connect', 'ready']);

/**
 * A process's connections through one Sentinel deployment, and one subscription per sentinel to its +switch-master
 * announcements. A connection with a live socket is moved to the promoted primary at once, instead of when its old
 * primary's socket times out or refuses a write. One that is asking the sentinels for the primary is left alone:
 * ioredis ends a connection for good (no reconnect) when it is disconnected in that window, which is what its own
 * per-connection failover detector did to some of the farm's connections in every failover.
 */
class FailoverWatch {
  readonly #connections = new Set<Redis>();
  readonly #subscribers: Redis[];
  #lastAnnouncement = '';

  constructor(
    private readonly sentinel: RedisSentinel,
    tls: ConnectionOptions | null,
    private readonly onEmpty: () => void,
  ) {
    this.#subscribers = sentinel.sentinels.map((address) => {
      const { host, port } = parseHostPort(address, 'PORTRAIT_FARM_REDIS_SENTINELS');
      const subscriber = new Redis({
        host,
        port,
        ...(sentinel.password === null ? {} : { password: sentinel.password }),
        ...(tls === null ? {} : { tls }),
        connectionName: 'portrait-farm:failover-watch',
        maxRetriesPerRequest: null,
        retryStrategy: (times: number) => Math.min(100 * times, 2000),
      });
      subscriber.on('error', () => {});
      subscriber.on('message', (channel: string, message: string) => this.#announced(channel, message));
      void subscriber.subscribe(SWITCH_MASTER).catch(() => {});
      return subscriber;
    });
  }

  add(connection: Redis): void {
    this.#connections.add(connection);
    connection.once('end', () => this.#remove(connection));
  }

  #remove(connection: Redis): void {
    this.#connections.delete(connection);
    if (this.#connections.size > 0) return;
    for (const subscriber of this.#subscribers) subscriber.disconnect();
    this.onEmpty();
  }

  /** `<master name> <old ip> <old port> <new ip> <new port>`, published by every sentinel that saw the switch. */
  #announced(channel: string, message: string): void {
    if (channel !== SWITCH_MASTER || message.split(' ')[0] !== this.sentinel.masterName || message === this.#lastAnnouncement) return;
    this.#lastAnnouncement = message;
    for (const connection of this.#connections) {
      if (CONNECTED.has(connection.status)) connection.disconnect(true);
    }
  }
}

const watches = new Map<string, FailoverWatch>();

/**
 * Moves `connection` (opened through `sentinel`) to the new primary whenever the sentinels announce a failover, for
 * as long as it is open. The process shares one subscription per sentinel among all its connections.
 */
export function followSentinelFailovers(connection: Redis, sentinel: RedisSentinel, tls: ConnectionOptions | null): void {
  const key = `${sentinel.masterName}@${sentinel.sentinels.join(',')}`;
  let watch = watches.get(key);
  if (watch === undefined) {
    watch = new FailoverWatch(sentinel, tls, () => watches.delete(key));
    watches.set(key, watch);
  }
  watch.add(connection);
}
