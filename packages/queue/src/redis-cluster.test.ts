import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisCluster } from '@portrait-farm/test-support/redis-cluster';
import type { RedisClusterProcess } from '@portrait-farm/test-support/redis-cluster';
import { createJobId } from '@portrait-farm/jobs';
import { Cluster } from 'ioredis';
import type { Redis } from 'ioredis';
import { FarmQueues } from './farm-queues.ts';
import { readQueueCounts } from './queue-depth.ts';
import { createRedisClient, deploymentKeyPrefix } from './redis-cluster.ts';
import { resolveRedisSentinel } from './redis-sentinel.ts';

describe('deploymentKeyPrefix', () => {
  it('puts the prefix in a hash tag on a cluster only', () => {
    expect(deploymentKeyPrefix('pf', null)).toBe('pf');
    expect(deploymentKeyPrefix('pf', [])).toBe('pf');
    expect(deploymentKeyPrefix('pf', ['10.0.0.1:6379'])).toBe('{pf}');
  });
});

describe('createRedisClient', () => {
  let cluster: RedisClusterProcess;
  const opened: Array<Redis | Cluster> = [];

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
  }, 60_000);

  afterAll(async () => {
    for (const connection of opened) connection.disconnect();
    await cluster?.close();
  });

  it('refuses a cluster beside sentinels, and a node that is not host:port', () => {
    const sentinel = resolveRedisSentinel({ sentinels: ['127.0.0.1:26379'], masterName: 'pf', password: null });
    expect(() => createRedisClient('redis://x:1', { clusterNodes: ['127.0.0.1:1'], sentinel })).toThrow('set one of them');
    expect(() => createRedisClient('redis://x:1', { clusterNodes: ['nope'] })).toThrow('PORTRAIT_FARM_REDIS_CLUSTER_NODES must list host:port');
  });

  it("opens a Cluster whose nodes get the role's options and the URL's password, and the farm's queues run on it with the tagged prefix", async () => {
    const worker = createRedisClient('redis://:secret@ignored.invalid:1', { role: 'worker', clusterNodes: cluster.nodes.slice(0, 1), connectionName: 'pf-test' });
    opened.push(worker);
    worker.on('error', () => {});
    expect(worker).toBeInstanceOf(Cluster);
    expect((worker as Cluster).options.redisOptions).toMatchObject({ maxRetriesPerRequest: null, password: 'secret', connectionName: 'pf-test' });
    const client = createRedisClient(`redis://127.0.0.1:1`, { role: 'client', clusterNodes: cluster.nodes.slice(0, 1) });
    opened.push(client);
    client.on('error', () => {});
    const queues = new FarmQueues({ connection: client, prefix: deploymentKeyPrefix('pf', cluster.nodes) });
    try {
      await queues.enqueuePrepare({ jobId: createJobId(), tenantId: 'tenant-a' });
      expect(await readQueueCounts(queues, 'prepare')).toMatchObject({ waiting: 1 });
    } finally {
      await queues.close();
    }
  });
});
