import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestCertificates } from '@portrait-farm/test-support/tls-certificates';
import { startRedisSentinelGroup } from '@portrait-farm/test-support/redis-sentinel-group';
import type { RedisSentinelGroup } from '@portrait-farm/test-support/redis-sentinel-group';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisConnection } from './connection.ts';
import { resolveRedisSentinel, sentinelConnectionOptions } from './redis-sentinel.ts';

/** Resolves once `check` holds (every 100 ms, for up to 20 s); fails the test otherwise. */
async function until(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('did not happen within 20 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('resolveRedisSentinel', () => {
  it('is null without sentinels, and frozen settings with them', () => {
    expect(resolveRedisSentinel({ sentinels: null, masterName: null, password: null })).toBeNull();
    expect(resolveRedisSentinel({ sentinels: [], masterName: null, password: null })).toBeNull();
    const sentinel = resolveRedisSentinel({ sentinels: ['10.0.0.1:26379', '[::1]:26380'], masterName: 'pf', password: 's3cret' });
    expect(sentinel).toEqual({ sentinels: ['10.0.0.1:26379', '[::1]:26380'], masterName: 'pf', password: 's3cret' });
    expect(Object.isFrozen(sentinel)).toBe(true);
    const options = sentinelConnectionOptions(sentinel!);
    expect(options.reconnectOnError?.(new Error("READONLY You can't write against a read only replica."))).toBe(2);
    expect(options.reconnectOnError?.(new Error('ERR wrong number of arguments'))).toBe(false);
    expect({ ...options, reconnectOnError: null }).toEqual({
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      name: 'pf',
      reconnectOnError: null,
      sentinelPassword: 's3cret',
    });
  });

  it('refuses sentinels without a master name, a master name or password without sentinels, and a bad address', () => {
    expect(() => resolveRedisSentinel({ sentinels: ['a:1'], masterName: null, password: null })).toThrow(/PORTRAIT_FARM_REDIS_SENTINEL_MASTER\. Given: none/);
    expect(() => resolveRedisSentinel({ sentinels: null, masterName: 'pf', password: null })).toThrow(/needs the sentinels that monitor it in PORTRAIT_FARM_REDIS_SENTINELS/);
    expect(() => resolveRedisSentinel({ sentinels: null, masterName: null, password: 'x' })).toThrow(/PORTRAIT_FARM_REDIS_SENTINEL_PASSWORD needs/);
    expect(() => resolveRedisSentinel({ sentinels: ['a:70000'], masterName: 'pf', password: null })).toThrow('must list host:port (an IPv6 address in brackets). Given: "a:70000"');
    expect(() => resolveRedisSentinel({ sentinels: ['a'], masterName: 'pf', password: null })).toThrow(/Given: "a"/);
  });
});

describe('rediss:// through Sentinel', () => {
  it('reaches the sentinels and the primary over TLS with the CA (ioredis alone would reach the primary in plain TCP)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pf-sentinel-tls-'));
    try {
      const { caFile } = makeTestCertificates(dir, 'sentinel');
      const sentinel = resolveRedisSentinel({ sentinels: ['127.0.0.1:1'], masterName: 'pf', password: null });
      const redis = createRedisConnection('rediss://127.0.0.1:1', { sentinel, tlsCaFile: caFile });
      redis.on('error', () => {});
      redis.disconnect();
      expect(redis.options).toMatchObject({ enableTLSForSentinelMode: true, name: 'pf' });
      const pem = (tls: unknown): string => String((tls as { ca: string[] }).ca.at(-1));
      expect(pem(redis.options.sentinelTLS)).toContain('-----BEGIN CERTIFICATE-----');
      expect(pem(redis.options.tls)).toBe(pem(redis.options.sentinelTLS));
      const plain = createRedisConnection('redis://127.0.0.1:1', { sentinel });
      plain.on('error', () => {});
      plain.disconnect();
      expect(plain.options.enableTLSForSentinelMode ?? false).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('createRedisConnection through Sentinel', () => {
  let group: RedisSentinelGroup;
  const connections: Redis[] = [];

  beforeAll(async () => {
    group = await startRedisSentinelGroup({ masterName: 'queue-test' });
  }, 60_000);

  afterAll(async () => {
    for (const connection of connections) connection.disconnect();
    await group?.close();
  });

  it('a failover the sentinels are asked for (the old primary demoted, still running) moves the connections too', async () => {
    const sentinel = resolveRedisSentinel({ sentinels: group.sentinels, masterName: group.masterName, password: null });
    const worker = createRedisConnection('redis://ignored.invalid:1', { role: 'worker', sentinel });
    // A connection that only reads is never refused by the demoted primary (READONLY): the sentinels' announcement moves it.
    const reader = createRedisConnection('redis://ignored.invalid:1', { role: 'client', sentinel });
    for (const connection of [worker, reader]) {
      connection.on('error', () => {});
      connections.push(connection);
    }
    await worker.set('graceful', '0');
    await reader.get('graceful');
    const old = await group.forceFailover();
    const promoted = await group.waitForFailover(old);
    await until(async () => /tcp_port:(\d+)/.exec(await reader.info('server').catch(() => ''))?.[1] === String(promoted));
    const deadline = Date.now() + 20_000;
    let port = '';
    while (Date.now() < deadline) {
      await worker.incr('graceful');
      port = /tcp_port:(\d+)/.exec(await worker.info('server'))?.[1] ?? '';
      if (port === String(promoted)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(port).toBe(String(promoted));
    expect(Number(await worker.get('graceful'))).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('finds the primary, and after the primary is killed the same connections reach the promoted replica', async () => {
    const sentinel = resolveRedisSentinel({ sentinels: group.sentinels, masterName: group.masterName, password: null });
    const worker = createRedisConnection('redis://ignored.invalid:1', { role: 'worker', sentinel });
    const client = createRedisConnection('redis://ignored.invalid:1', { role: 'client', sentinel });
    for (const connection of [worker, client]) {
      connection.on('error', () => {});
      connections.push(connection);
    }
    // Many connections of one process through the same sentinels: every one of them must come back (ioredis's own
    // failover detector left some ended for good, with no reconnect, in most failovers of this test).
    const more = Array.from({ length: 60 }, (_, i) => createRedisConnection('redis://ignored.invalid:1', { role: i % 2 === 0 ? 'worker' : 'client', sentinel }));
    for (const connection of more) {
      connection.on('error', () => {});
      connections.push(connection);
    }
    await Promise.all(more.map((connection) => connection.ping()));
    await worker.set('before', '1');
    await client.wait(1, 1000); // the write is on the replica before the primary goes
    const first = await group.primaryPort();
    expect(/tcp_port:(\d+)/.exec(await client.info('server'))?.[1]).toBe(String(first));

    await group.settled();
    const killed = await group.killPrimary();
    // A worker connection's command waits through the failover (maxRetriesPerRequest null) and then succeeds.
    const during = worker.incr('after');
    const promoted = await group.waitForFailover(killed);
    expect(promoted).not.toBe(killed);
    expect(await during).toBe(1);
    expect(/tcp_port:(\d+)/.exec(await worker.info('server'))?.[1]).toBe(String(promoted));
    expect(await worker.get('before')).toBe('1');
    // The client connection's commands fail fast while there is no primary, and work again on the new one.
    const deadline = Date.now() + 20_000;
    let answered: string | null = null;
    while (answered === null && Date.now() < deadline) answered = await client.get('before').catch(() => null);
    expect(answered).toBe('1');
    expect(/role:master/.test(await client.info('replication'))).toBe(true);
    await until(async () => (await Promise.all(more.map((connection) => connection.get('before').catch(() => null)))).every((value) => value === '1'));
    expect(more.map((connection) => connection.status)).toEqual(more.map(() => 'ready'));
  }, 60_000);
});
