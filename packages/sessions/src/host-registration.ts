import type { Cluster, Redis } from 'ioredis';
import { sessionKeys } from './session-keys.ts';

/** Options of {@link registerSessionHost}. */
export interface SessionHostRegistration {
  hostId: string;
  /** Where clients reach the host's session server (ws:// or wss://, no path). */
  url: string;
  /** Sessions the host runs at once. */
  capacity: number;
  /** The host's key expires this long after its last heartbeat, taking its capacity with it (ms). @defaultValue 15 000 */
  ttlMs?: number;
  /** How often the heartbeat renews it (ms). @defaultValue ttlMs / 3 */
  heartbeatMs?: number;
  /** Runs after each heartbeat (the host checks its sessions' end requests). */
  onHeartbeat?: () => Promise<void>;
  onError?: (error: unknown) => void;
}

/** A registered host: its capacity offered until {@link RegisteredHost.stop}. */
export interface RegisteredHost {
  /** Withdraws the capacity (the host key and its membership go; its sessions' records stay as they are). */
  stop(): Promise<void>;
}

/**
 * Offers a worker's session capacity in Redis: a host hash with an expiry renewed by a heartbeat, and its id in the
 * hosts set that placement reads. A worker that dies stops renewing: placement then drops it and ends its sessions.
 */
export async function registerSessionHost(redis: Redis | Cluster, prefix: string, registration: SessionHostRegistration): Promise<RegisteredHost> {
  const keys = sessionKeys(prefix);
  const ttlMs = registration.ttlMs ?? 15_000;
  const write = async (): Promise<void> => {
    await redis
      .multi()
      .hset(keys.host(registration.hostId), 'capacity', String(registration.capacity), 'url', registration.url)
      .pexpire(keys.host(registration.hostId), ttlMs)
      .sadd(keys.hosts, registration.hostId)
      .exec();
  };
  await write();
  let beating = Promise.resolve();
  const timer = setInterval(() => {
    beating = beating
      .then(write)
      .then(() => registration.onHeartbeat?.())
      .catch((error: unknown) => registration.onError?.(error));
  }, registration.heartbeatMs ?? Math.floor(ttlMs / 3));
  return {
    async stop() {
      clearInterval(timer);
      await beating;
      await redis.multi().del(keys.host(registration.hostId)).srem(keys.hosts, registration.hostId).exec();
    },
  };
}
