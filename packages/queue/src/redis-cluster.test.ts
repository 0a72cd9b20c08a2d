import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCertificates } from '@portrait-farm/test-support/tls-certificates';
import { startRedisCluster } from '@portrait-farm/test-support/redis-cluster';
import type { RedisClusterProcess } from '@portrait-farm/test-support/redis-cluster';
import { createJobId } from '@portrait-farm/jobs';
import { Cluster } from 'ioredis';
import type { Redis } from 'ioredis';
import { FarmQueues } from './farm-queues.ts';
import { isQueueError } from './errors.ts';
import { readQueueCounts } from './queue-depth.ts';
import { redisConnectionFailure } from './redis-tls.ts';
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

describe('createRedisClient on a cluster over TLS (rediss:// and a private CA)', () => {
  let cluster: RedisClusterProcess;
  let dir: string;
  let caFile: string;
  const opened: Cluster[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pf-cluster-tls-'));
    const certificates = makeTestCertificates(dir, 'cluster');
    caFile = certificates.caFile;
    cluster = await startRedisCluster(3, { tls: certificates });
  }, 60_000);

  afterAll(async () => {
    for (const connection of opened) connection.disconnect();
    await cluster?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reaches every master over TLS with the CA, and the farm's queues run on it", async () => {
    const client = createRedisClient('rediss://127.0.0.1:1', { role: 'client', clusterNodes: cluster.nodes.slice(0, 1), tlsCaFile: caFile }) as Cluster;
    opened.push(client);
    client.on('error', () => {});
    // Keys spread over the slots reach every master (the others learned from the first, all over TLS).
    const keys = Array.from({ length: 30 }, (_, i) => `tls-key-${i}`);
    for (const key of keys) await client.set(key, key);
    expect(await Promise.all(keys.map((key) => client.get(key)))).toEqual(keys);
    expect(new Set(await Promise.all(keys.map((key) => cluster.nodeServing(key)))).size).toBe(3);
    expect(client.nodes('master').map((node) => node.options.tls)).toEqual([expect.anything(), expect.anything(), expect.anything()]);
    const queues = new FarmQueues({ connection: client, prefix: deploymentKeyPrefix('pf-tls', cluster.nodes) });
    try {
      await queues.enqueuePrepare({ jobId: createJobId(), tenantId: 'tenant-a' });
      expect(await readQueueCounts(queues, 'prepare')).toMatchObject({ waiting: 1 });
    } finally {
      await queues.close();
    }
  });

  it('without the CA ends with QUEUE_REDIS_TLS naming TLS and a node, and its commands fail instead of waiting', async () => {
    const client = createRedisClient('rediss://127.0.0.1:1', { role: 'client', clusterNodes: cluster.nodes.slice(0, 1) }) as Cluster;
    opened.push(client);
    const told = new Promise<Error>((resolve) => client.on('error', (error: Error) => isQueueError(error, 'QUEUE_REDIS_TLS') && resolve(error)));
    const error = await told;
    expect(error.message).toMatch(/^TLS to Redis at rediss:\/\/127\.0\.0\.1:\d+ failed: .*PORTRAIT_FARM_REDIS_CA/);
    expect(redisConnectionFailure(client)).toBe(error);
    await expect(client.get('tls-key-0')).rejects.toThrow();
  });
});
