import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPlaced, registerSessionHost, SessionStore, type SessionOptions } from '@portrait-farm/sessions';
import { startRedisCluster } from '@portrait-farm/test-support/redis-cluster';
import type { RedisClusterProcess } from '@portrait-farm/test-support/redis-cluster';

// Realtime sessions on a real 3-master Redis Cluster (issue 18): with the deployment prefix in a hash tag, every key
// of the session scripts (placement over the hosts and their sessions, claim, the LiveKit claim over a host's
// sessions, progress, end, DELETE's publish) is in the tag's slot, so they run without CROSSSLOT or a non-local key.
const TAGGED = '{pf}';
const OPTIONS: SessionOptions = { avatarId: 'av_1', mode: 'crop', inputSampleRate: 16000, latency: 'quality', controls: {}, seed: 1, idleTimeoutSeconds: 60, maxDurationSeconds: 600 };
let cluster: RedisClusterProcess;
let client: Cluster;

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  client = new Cluster(cluster.nodes.map((node) => ({ host: '127.0.0.1', port: Number(node.split(':')[1]) })), { redisOptions: { maxRetriesPerRequest: null } });
  client.on('error', () => {});
}, 90_000);

afterAll(async () => {
  client?.disconnect();
  await cluster?.close();
});

describe('realtime sessions on Redis Cluster, prefix in a hash tag', () => {
  it('registers a host, places (the tenant limit too), claims, meters, ends and DELETEs sessions; every key in the tag\'s slot', async () => {
    const store = new SessionStore(client, TAGGED);
    const host = await registerSessionHost(client, TAGGED, { hostId: 'worker-1', url: 'ws://w1:1', capacity: 2 });
    const one = await store.place('acme', OPTIONS, 30_000);
    const two = await store.place('acme', OPTIONS, 30_000);
    if (!isPlaced(one) || !isPlaced(two)) throw new Error('not placed');
    expect(isPlaced(await store.place('acme', OPTIONS, 30_000))).toBe(false);
    expect(await store.place('acme', OPTIONS, 30_000, 2)).toMatchObject({ reason: 'tenant_limit' });
    expect(await store.claim('worker-1', one.record.id, one.token)).toBe('ok');
    await store.progress(one.record.id, 2.5);
    expect(await store.end(one.record, 'client', 3)).toBe(true);
    expect(await store.usageSeconds('acme')).toBe(3);
    expect(await store.requestEnd('acme', two.record.id)).toBe('ended');
    expect(await store.placedOn('worker-1')).toEqual([]);
    const slot = await cluster.keySlot('pf');
    const keys = store.keys;
    for (const name of [keys.hosts, keys.host('worker-1'), keys.hostSessions('worker-1'), keys.session(one.record.id), keys.usage('acme')]) {
      expect(await cluster.keySlot(name), name).toBe(slot);
    }
    await host.stop();
  }, 60_000);

  it('gives each LiveKit session placed on a host to one of two racing claimers, taking its token out of the record', async () => {
    const store = new SessionStore(client, TAGGED);
    const host = await registerSessionHost(client, TAGGED, { hostId: 'worker-lk', url: 'ws://w2:1', capacity: 8 });
    const ids: string[] = [];
    for (let i = 0; i < 8; i += 1) {
      const placed = await store.place('acme', { ...OPTIONS, livekit: { url: 'wss://lk.example', token: `lk-token-${i}`, agentIdentity: 'agent-1' } }, 30_000);
      if (!isPlaced(placed)) throw new Error('not placed');
      ids.push(placed.record.id);
    }
    const [one, two] = await Promise.all([store.claimLiveKit('worker-lk'), new SessionStore(client, TAGGED).claimLiveKit('worker-lk')]);
    const claimed = [...one!, ...two!];
    expect(claimed.map((c) => c.sessionId).sort()).toEqual([...ids].sort());
    expect(new Set(claimed.map((c) => c.token)).size).toBe(8);
    for (const id of ids) {
      expect(await client.hget(store.keys.session(id), 'livekitToken')).toBeNull();
      expect((await store.read(id))?.status).toBe('streaming');
    }
    for (const id of ids) await store.end({ id, hostId: 'worker-lk' }, 'client', 0);
    await host.stop();
  }, 60_000);
});
