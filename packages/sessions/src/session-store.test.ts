import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, uniquePrefix } from '@portrait-farm/test-support/redis-server';
import type { RedisServerProcess } from '@portrait-farm/test-support/redis-server';
import { registerSessionHost } from './host-registration.ts';
import type { SessionOptions } from './session-record.ts';
import { isPlaced, SessionStore, type PlacedSession } from './session-store.ts';

let server: RedisServerProcess;
let redis: Redis;
const OPTIONS: SessionOptions = { avatarId: 'av_1', mode: 'crop', inputSampleRate: 16000, latency: 'low', controls: { emotion: 'happy' }, seed: 7, idleTimeoutSeconds: 60, maxDurationSeconds: 600 };

beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.port, server.host);
}, 30_000);

afterAll(async () => {
  redis?.disconnect();
  await server?.close();
});

function placed(result: Awaited<ReturnType<SessionStore['place']>>): PlacedSession {
  if (!isPlaced(result)) throw new Error(`not placed: ${JSON.stringify(result)}`);
  return result;
}

describe('SessionStore', () => {
  it('places sessions on the host with the most free slots and refuses with how soon a slot frees when all are full', async () => {
    const prefix = uniquePrefix();
    let now = 1_000_000;
    const store = new SessionStore(redis, prefix, { now: () => now });
    expect(await store.place('acme', OPTIONS, 30_000)).toEqual({ reason: 'no_hosts', freeInMs: 0 });
    const a = await registerSessionHost(redis, prefix, { hostId: 'a', url: 'ws://a:1', capacity: 1 });
    const b = await registerSessionHost(redis, prefix, { hostId: 'b', url: 'ws://b:1', capacity: 2 });
    const first = placed(await store.place('acme', OPTIONS, 30_000));
    expect(first.record).toMatchObject({ hostId: 'b', hostUrl: 'ws://b:1', status: 'waiting', tenantId: 'acme', latency: 'low', controls: { emotion: 'happy' }, connectBy: now + 30_000 });
    const hosts = [first, placed(await store.place('acme', OPTIONS, 30_000)), placed(await store.place('acme', OPTIONS, 30_000))].map((p) => p.record.hostId).sort();
    expect(hosts).toEqual(['a', 'b', 'b']);
    now += 10_000;
    expect(await store.place('acme', OPTIONS, 30_000)).toEqual({ reason: 'full', freeInMs: 20_000 });
    // A claimed session can free its slot at its maximum length at the latest.
    expect(await store.claim('b', first.record.id, first.token)).toBe('ok');
    // A session whose client never connects frees its slot at connectBy.
    now += 20_000;
    const late = placed(await store.place('acme', OPTIONS, 30_000));
    expect(await store.claim(late.record.hostId, late.record.id, 'x')).toBe('bad_token');
    await a.stop();
    await b.stop();
  });

  it('refuses a tenant at its limit of sessions at once, with how soon its soonest session can end, and counts only its live ones', async () => {
    const prefix = uniquePrefix();
    let now = 2_000_000;
    const store = new SessionStore(redis, prefix, { now: () => now });
    const host = await registerSessionHost(redis, prefix, { hostId: 'h', url: 'ws://h:1', capacity: 4 });
    const one = placed(await store.place('acme', OPTIONS, 30_000, 2));
    now += 5_000;
    const two = placed(await store.place('acme', OPTIONS, 30_000, 2));
    expect(await store.place('acme', OPTIONS, 30_000, 2)).toEqual({ reason: 'tenant_limit', freeInMs: 25_000 });
    // Another tenant still has room on the same host, and no limit means none.
    expect(isPlaced(await store.place('zeta', OPTIONS, 30_000, 2))).toBe(true);
    expect(isPlaced(await store.place('acme', OPTIONS, 30_000, 0))).toBe(true);
    expect(await store.place('acme', OPTIONS, 30_000, 3)).toEqual({ reason: 'tenant_limit', freeInMs: 25_000 });
    // Ended sessions, and one whose client never came, no longer count.
    expect(await store.end(one.record, 'client', 0)).toBe(true);
    expect(isPlaced(await store.place('acme', OPTIONS, 30_000, 3))).toBe(true);
    expect(await store.place('acme', OPTIONS, 30_000, 3)).toEqual({ reason: 'tenant_limit', freeInMs: 30_000 });
    now += 30_000;
    expect(isPlaced(await store.place('acme', OPTIONS, 30_000, 3))).toBe(true);
    expect((await store.read(two.record.id))?.endReason).toBe('not_connected');
    await host.stop();
  });

  it('lets only one of two concurrent placements take a tenant\'s last session', async () => {
    const prefix = uniquePrefix();
    const host = await registerSessionHost(redis, prefix, { hostId: 'roomy', url: 'ws://roomy:1', capacity: 8 });
    const other = new Redis(server.port, server.host);
    const results = await Promise.all([new SessionStore(redis, prefix).place('acme', OPTIONS, 30_000, 1), new SessionStore(other, prefix).place('acme', OPTIONS, 30_000, 1)]);
    expect(results.filter(isPlaced)).toHaveLength(1);
    expect(results.filter((r) => !isPlaced(r))).toEqual([{ reason: 'tenant_limit', freeInMs: expect.any(Number) }]);
    other.disconnect();
    await host.stop();
  });

  it('gives one of two concurrent placements for the last slot the slot and refuses the other', async () => {
    const prefix = uniquePrefix();
    const host = await registerSessionHost(redis, prefix, { hostId: 'only', url: 'ws://only:1', capacity: 1 });
    const other = new Redis(server.port, server.host);
    const results = await Promise.all([new SessionStore(redis, prefix).place('acme', OPTIONS, 30_000), new SessionStore(other, prefix).place('zeta', OPTIONS, 30_000)]);
    expect(results.filter(isPlaced)).toHaveLength(1);
    expect(results.filter((r) => !isPlaced(r))).toEqual([{ reason: 'full', freeInMs: expect.any(Number) }]);
    other.disconnect();
    await host.stop();
  });

  it('spends a token once, refuses a wrong or expired one and an ended session, and frees the slot at the end', async () => {
    const prefix = uniquePrefix();
    let now = 5_000_000;
    const store = new SessionStore(redis, prefix, { now: () => now });
    const host = await registerSessionHost(redis, prefix, { hostId: 'h', url: 'ws://h:1', capacity: 1 });
    const session = placed(await store.place('acme', OPTIONS, 30_000));
    expect(await store.claim('other-host', session.record.id, session.token)).toBe('unknown');
    expect(await store.claim('h', 'ses_000000000000000000000000', session.token)).toBe('unknown');
    expect(await store.claim('h', session.record.id, `${session.token}x`)).toBe('bad_token');
    expect(await store.claim('h', session.record.id, session.token)).toBe('ok');
    expect(await store.claim('h', session.record.id, session.token)).toBe('used');
    expect((await store.read(session.record.id))!.status).toBe('streaming');
    expect(isPlaced(await store.place('acme', OPTIONS, 30_000))).toBe(false);
    expect(await store.end(session.record, 'client', 12.5)).toBe(true);
    expect(await store.end(session.record, 'error', 99)).toBe(false);
    expect(await store.read(session.record.id)).toMatchObject({ status: 'ended', endReason: 'client', secondsStreamed: 12.5, endedAt: now });
    expect(await store.claim('h', session.record.id, session.token)).toBe('ended');
    const unclaimed = placed(await store.place('acme', OPTIONS, 30_000));
    now += 30_000;
    expect(await store.get('acme', unclaimed.record.id)).toMatchObject({ status: 'ended', endReason: 'not_connected' });
    const next = placed(await store.place('acme', OPTIONS, 30_000));
    now += 30_000;
    expect(await store.claim('h', next.record.id, next.token)).toBe('expired');
    expect(await store.read(next.record.id)).toMatchObject({ status: 'ended', endReason: 'not_connected' });
    await host.stop();
  });

  it('meters seconds streamed per tenant, counting each second once however often progress is reported', async () => {
    const prefix = uniquePrefix();
    const store = new SessionStore(redis, prefix);
    const host = await registerSessionHost(redis, prefix, { hostId: 'h', url: 'ws://h:1', capacity: 2 });
    const one = placed(await store.place('acme', OPTIONS, 30_000));
    const two = placed(await store.place('acme', OPTIONS, 30_000));
    await store.claim('h', one.record.id, one.token);
    await store.claim('h', two.record.id, two.token);
    await store.progress(one.record.id, 2);
    await store.progress(one.record.id, 2);
    await store.progress(one.record.id, 1);
    await store.progress(two.record.id, 3);
    expect(await store.usageSeconds('acme')).toBe(5);
    await store.end(one.record, 'client', 4.5);
    await store.progress(one.record.id, 10);
    expect(await store.usageSeconds('acme')).toBe(7.5);
    expect(await store.usageSeconds('zeta')).toBe(0);
    await host.stop();
  });

  it('keeps sessions to their tenant: another tenant reads and deletes nothing; DELETE ends a waiting session and announces a streaming one', async () => {
    const prefix = uniquePrefix();
    const store = new SessionStore(redis, prefix);
    const host = await registerSessionHost(redis, prefix, { hostId: 'h', url: 'ws://h:1', capacity: 2 });
    const waiting = placed(await store.place('acme', OPTIONS, 30_000));
    const streaming = placed(await store.place('acme', OPTIONS, 30_000));
    await store.claim('h', streaming.record.id, streaming.token);
    expect(await store.get('zeta', waiting.record.id)).toBeNull();
    expect(await store.requestEnd('zeta', waiting.record.id)).toBe('not_found');
    expect(await store.requestEnd('acme', waiting.record.id)).toBe('ended');
    expect(await store.get('acme', waiting.record.id)).toMatchObject({ status: 'ended', endReason: 'deleted' });
    const subscriber = new Redis(server.port, server.host);
    await subscriber.subscribe(store.keys.endChannel);
    const heard = new Promise<string>((resolve) => subscriber.once('message', (_channel: string, id: string) => resolve(id)));
    expect(await store.requestEnd('acme', streaming.record.id)).toBe('ending');
    expect(await heard).toBe(streaming.record.id);
    expect(await store.get('acme', streaming.record.id)).toMatchObject({ status: 'streaming', endRequested: true });
    subscriber.disconnect();
    await host.stop();
  });

  it('takes a dead host\'s capacity away when its key expires, and reads its sessions as ended (worker_lost)', async () => {
    const prefix = uniquePrefix();
    const store = new SessionStore(redis, prefix);
    const host = await registerSessionHost(redis, prefix, { hostId: 'h', url: 'ws://h:1', capacity: 1, ttlMs: 300, heartbeatMs: 100 });
    const session = placed(await store.place('acme', OPTIONS, 30_000));
    await host.stop();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await store.place('acme', OPTIONS, 30_000)).toEqual({ reason: 'no_hosts', freeInMs: 0 });
    expect(await store.get('acme', session.record.id)).toMatchObject({ status: 'ended', endReason: 'worker_lost' });
  });

  it('keeps a LiveKit session\'s room, announces its id (never a token), and its host claims it, taking the LiveKit token out of Redis', async () => {
    const prefix = uniquePrefix();
    const store = new SessionStore(redis, prefix);
    const host = await registerSessionHost(redis, prefix, { hostId: 'h', url: 'ws://h:1', capacity: 2 });
    const subscriber = new Redis(server.port, server.host);
    try {
      const livekit = { url: 'wss://lk.example', token: 'header.claims.signature', agentIdentity: 'agent-1' };
      const session = placed(await store.place('acme', { ...OPTIONS, livekit }, 30_000));
      const room = { url: 'wss://lk.example', agentIdentity: 'agent-1' };
      expect(session.record.livekit).toEqual(room);
      expect(await redis.hget(store.keys.session(session.record.id), 'livekitToken')).toBe(livekit.token);
      expect(await store.announceLiveKit(session)).toBe(0);
      const heard = new Promise<string>((resolve) => subscriber.on('message', (_channel: string, message: string) => resolve(message)));
      await subscriber.subscribe(store.keys.startChannel);
      expect(await store.announceLiveKit(session)).toBe(1);
      expect(await heard).toBe(session.record.id);
      // A WebSocket session on the same host is not the LiveKit claim's.
      const websocket = placed(await store.place('acme', OPTIONS, 30_000));
      expect(websocket.record.livekit).toBeUndefined();
      expect(await store.claimLiveKit('other-host')).toEqual([]);
      // Its stream token opens no stream, before the worker claims it or after: the worker joins the room.
      expect(await store.claim('h', session.record.id, session.token)).toBe('livekit');
      expect(await store.claimLiveKit('h')).toEqual([{ sessionId: session.record.id, token: livekit.token }]);
      expect(await store.claimLiveKit('h')).toEqual([]);
      expect(await store.claim('h', session.record.id, session.token)).toBe('livekit');
      expect(await store.read(session.record.id)).toMatchObject({ status: 'streaming', livekit: room });
      const hash = await redis.hgetall(store.keys.session(session.record.id));
      expect(Object.values(hash).some((value) => value.includes(livekit.token))).toBe(false);
      expect((await store.read(websocket.record.id))?.status).toBe('waiting');
    } finally {
      subscriber.disconnect();
      await host.stop();
    }
  });

  it('gives each LiveKit session to one of two claimers racing for it, and ends one past its connect-by time', async () => {
    const prefix = uniquePrefix();
    let now = 3_000_000;
    const store = new SessionStore(redis, prefix, { now: () => now });
    const host = await registerSessionHost(redis, prefix, { hostId: 'h', url: 'ws://h:1', capacity: 40 });
    const other = new Redis(server.port, server.host);
    try {
      const rival = new SessionStore(other, prefix, { now: () => now });
      const ids: string[] = [];
      for (let round = 0; round < 4; round += 1) {
        const batch: string[] = [];
        for (let i = 0; i < 8; i += 1) {
          const livekit = { url: 'wss://lk.example', token: `token-${round}-${i}`, agentIdentity: 'agent-1' };
          batch.push(placed(await store.place('acme', { ...OPTIONS, livekit }, 30_000)).record.id);
        }
        const [mine, theirs] = await Promise.all([store.claimLiveKit('h'), rival.claimLiveKit('h')]);
        const claimed = [...mine!, ...theirs!].map((c) => c.sessionId);
        expect(claimed.sort()).toEqual([...batch].sort());
        ids.push(...claimed);
      }
      expect(new Set(ids).size).toBe(32);
      const late = placed(await store.place('acme', { ...OPTIONS, livekit: { url: 'wss://lk.example', token: 'late-token', agentIdentity: 'a' } }, 30_000));
      now += 30_000;
      expect(await store.claimLiveKit('h')).toEqual([]);
      expect(await store.read(late.record.id)).toMatchObject({ status: 'ended', endReason: 'not_connected' });
      expect(await redis.hget(store.keys.session(late.record.id), 'livekitToken')).toBeNull();
    } finally {
      other.disconnect();
      await host.stop();
    }
  });

  it('ends a claimed LiveKit session (worker_lost) when its worker dies and its registration expires', async () => {
    const prefix = uniquePrefix();
    const store = new SessionStore(redis, prefix);
    const worker = new Redis(server.port, server.host);
    worker.on('error', () => {});
    const registration = await registerSessionHost(worker, prefix, { hostId: 'dying', url: 'ws://d:1', capacity: 1, ttlMs: 400, onError: () => {} });
    const session = placed(await store.place('acme', { ...OPTIONS, livekit: { url: 'wss://lk.example', token: 'secret-token', agentIdentity: 'a' } }, 30_000));
    expect(await new SessionStore(worker, prefix).claimLiveKit('dying')).toHaveLength(1);
    // The worker is gone: its connection drops and its heartbeat stops renewing the host key.
    worker.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await redis.exists(store.keys.host('dying'))).toBe(0);
    expect(await store.get('acme', session.record.id)).toMatchObject({ status: 'ended', endReason: 'worker_lost' });
    expect(await store.placedOn('dying')).toEqual([]);
    await registration.stop().catch(() => {});
  });
});
