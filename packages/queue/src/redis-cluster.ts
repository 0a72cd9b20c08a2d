import type { ConnectionOptions } from 'node:tls';
import { Cluster } from 'ioredis';
import type { Redis } from 'ioredis';
import { createRedisConnection, redisConnectionSettings } from './connection.ts';
import type { RedisConnectionOptions } from './connection.ts';
import { QueueError } from './errors.ts';
import { parseHostPort } from './host-port.ts';
import { recordTlsFailure, tlsHandshakeFailure } from './redis-tls.ts';

/** Options of {@link createRedisClient}: those of createRedisConnection, and the nodes of a cluster. */
export interface RedisClientOptions extends RedisConnectionOptions {
  /**
   * Redis Cluster: `host:port` of some of its nodes (the connection learns the others); the URL then gives only the
   * password, user and TLS. @defaultValue null: the server the URL (or `sentinel`) names
   */
  clusterNodes?: readonly string[] | null;
}

function clusterNode(address: string): { host: string; port: number } {
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
 * As for one server, a TLS handshake that cannot succeed ends a cluster connection with QUEUE_REDIS_TLS. ioredis
 * reports only "Failed to refresh slots cache" (the handshake's error is on a connection of its own), so each failure
 * is followed by one handshake with a start node, with the same TLS options, to tell a TLS failure from the others;
 * `onFailure` then stops the retries, and the cluster ends at its next attempt (failing the commands it holds).
 */
function reportTlsFailure(cluster: Cluster, node: { host: string; port: number }, tls: ConnectionOptions, caFile: string | null, onFailure: () => void): void {
  let probing = false;
  let failed = false;
  cluster.on('error', () => {
    if (failed || probing) return;
    probing = true;
    void tlsHandshakeFailure(node.host, node.port, tls).then((error) => {
      probing = false;
      if (error === null || failed) return;
      failed = true;
      onFailure();
      cluster.emit('error', recordTlsFailure(cluster, `rediss://${node.host.includes(':') ? `[${node.host}]` : node.host}:${node.port}`, error, caFile));
    });
  });
}

/**
 * Opens the farm's connection for a role: an ioredis Cluster when `options.clusterNodes` names nodes (each node's
 * connection set up as createRedisConnection sets up one for the role; a TLS handshake that cannot succeed ends it
 * with QUEUE_REDIS_TLS, also `redisConnectionFailure(cluster)`), else createRedisConnection's.
 */
export function createRedisClient(url: string, options: RedisClientOptions = {}): Redis | Cluster {
  const nodes = options.clusterNodes ?? [];
  if (nodes.length === 0) return createRedisConnection(url, options);
  if ((options.sentinel ?? null) !== null) {
    throw new QueueError('QUEUE_BAD_OPTION', 'PORTRAIT_FARM_REDIS_CLUSTER_NODES and PORTRAIT_FARM_REDIS_SENTINELS name two deployments: set one of them.');
  }
  const startNodes = nodes.map(clusterNode);
  const redisOptions = redisConnectionSettings(url, options);
  let tlsFailed = false;
  const cluster = new Cluster(startNodes, {
    redisOptions,
    enableReadyCheck: true,
    clusterRetryStrategy: (times: number) => (tlsFailed ? null : Math.min(100 * times, 2000)),
  });
  if (redisOptions.tls !== undefined) {
    reportTlsFailure(cluster, startNodes[0]!, redisOptions.tls, options.tlsCaFile ?? null, () => {
      tlsFailed = true;
    });
  }
  return cluster;
}
