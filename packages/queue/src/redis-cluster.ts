import { Cluster } from 'ioredis';
import type { ClusterNode, Redis } from 'ioredis';
import { createRedisConnection, redisConnectionSettings } from './connection.ts';
import type { RedisConnectionOptions } from './connection.ts';
import { QueueError } from './errors.ts';
import { parseHostPort } from './host-port.ts';

/** Options of {@link createRedisClient}: those of createRedisConnection, and the nodes of a cluster. */
export interface RedisClientOptions extends RedisConnectionOptions {
  /**
   * Redis Cluster: `host:port` of some of its nodes (the connection learns the others); the URL then gives only the
   * password, user and TLS. @defaultValue null: the server the URL (or `sentinel`) names
   */
  clusterNodes?: readonly string[] | null;
}

function clusterNode(address: string): ClusterNode {
  return parseHostPort(address, 'PORTRAIT_FARM_REDIS_CLUSTER_NODES');
}

/**
 * The key prefix a deployment's keys are built from: on a cluster the deployment prefix in a hash tag (`{pf}`), so
 * that every key of the job store and the queues hashes to one slot, as their scripts and BullMQ require; elsewhere
 * the prefix itself (the key names a single Redis or Sentinel deployment has always had).
 */
export function deploymentKeyPrefix(prefix: string, clusterNodes: readonly string[] | null): string {
  return clusterNodes === null || clusterNodes.length === 0 ? prefix : `{${prefix}}`;
}

/**
 * Opens the farm's connection for a role: an ioredis Cluster when `options.clusterNodes` names nodes (each node's
 * connection set up as createRedisConnection sets up one for the role), else createRedisConnection's.
 */
export function createRedisClient(url: string, options: RedisClientOptions = {}): Redis | Cluster {
  const nodes = options.clusterNodes ?? [];
  if (nodes.length === 0) return createRedisConnection(url, options);
  if ((options.sentinel ?? null) !== null) {
    throw new QueueError('QUEUE_BAD_OPTION', 'PORTRAIT_FARM_REDIS_CLUSTER_NODES and PORTRAIT_FARM_REDIS_SENTINELS name two deployments: set one of them.');
  }
  const startNodes = nodes.map(clusterNode);
  const redisOptions = redisConnectionSettings(url, options);
  return new Cluster(startNodes, {
    redisOptions,
    enableReadyCheck: true,
    clusterRetryStrategy: (times: number) => Math.min(100 * times, 2000),
  });
}
