// Issue 19, item 4: Redis over TLS with a private CA: queues and plain commands round-trip, and a CA that did not sign
// the server's certificate fails at once with an error naming TLS and the endpoint, not a connection retried forever.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createJobId } from '@portrait-farm/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, uniquePrefix } from '@portrait-farm/test-support/redis-server';
import type { RedisServerProcess } from '@portrait-farm/test-support/redis-server';
import { makeTestCertificates } from '@portrait-farm/test-support/tls-certificates';
import type { TestCertificates } from '@portrait-farm/test-support/tls-certificates';
import { createRedisConnection } from './connection.ts';
import { isQueueError } from './errors.ts';
import { FarmQueues } from './farm-queues.ts';
import { readQueueCounts } from './queue-depth.ts';
import { redisConnectionFailure } from './redis-tls.ts';

const dir = mkdtempSync(join(tmpdir(), 'pf-redis-tls-'));
let server: TestCertificates;
let otherCa: TestCertificates;
let redis: RedisServerProcess;

beforeAll(async () => {
  server = makeTestCertificates(dir, 'farm');
  otherCa = makeTestCertificates(dir, 'other');
  redis = await startRedisServer({ tls: server });
}, 30_000);

afterAll(async () => {
  await redis?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Redis over TLS', () => {
  it('connects with the private CA: commands and a queue round-trip', async () => {
    expect(redis.url).toMatch(/^rediss:\/\/127\.0\.0\.1:\d+$/);
    const connection = createRedisConnection(redis.url, { role: 'worker', tlsCaFile: server.caFile });
    try {
      await connection.set('tls-probe', 'over TLS');
      expect(await connection.get('tls-probe')).toBe('over TLS');
      const queues = new FarmQueues({ connection, prefix: uniquePrefix('tls') });
      await queues.enqueuePrepare({ jobId: createJobId(), tenantId: 'alice' });
      expect(await readQueueCounts(queues, 'prepare')).toMatchObject({ waiting: 1 });
      await queues.close();
    } finally {
      connection.disconnect();
    }
  });

  for (const [what, caFile] of [['another CA', () => otherCa.caFile], ['no CA (the system CAs only)', () => null]] as const) {
    it(`with ${what} fails at once with QUEUE_REDIS_TLS naming TLS and the endpoint`, async () => {
      const connection = createRedisConnection(redis.url, { role: 'worker', tlsCaFile: caFile() });
      const told = new Promise<Error>((resolve) => connection.on('error', (error: Error) => isQueueError(error, 'QUEUE_REDIS_TLS') && resolve(error)));
      try {
        const started = Date.now();
        await expect(connection.ping()).rejects.toThrow();
        expect(Date.now() - started).toBeLessThan(5000);
        const error = await told;
        expect(error.message).toContain(`TLS to Redis at rediss://127.0.0.1:${redis.port} failed`);
        expect(error.message).toContain('PORTRAIT_FARM_REDIS_CA');
        expect(redisConnectionFailure(connection)).toBe(error);
        // A second error on the failed socket (the server's alert) reaches a listener, not the process: no crash.
        const stream = (connection as unknown as { stream: import('node:events').EventEmitter }).stream;
        expect(() => stream.emit('error', Object.assign(new Error('tlsv1 alert decode error'), { code: 'ERR_SSL_TLSV1_ALERT_DECODE_ERROR' }))).not.toThrow();
      } finally {
        connection.disconnect();
      }
    });
  }

  it('refuses a CA with a redis:// URL, and a CA file that holds no certificate', () => {
    expect(() => createRedisConnection(`redis://127.0.0.1:${redis.port}`, { tlsCaFile: server.caFile })).toThrow(/use rediss:\/\//);
    expect(() => createRedisConnection(redis.url, { tlsCaFile: server.keyFile })).toThrow(/holds no PEM certificate/);
    expect(() => createRedisConnection(redis.url, { tlsCaFile: join(dir, 'missing.pem') })).toThrow(/cannot be read/);
  });
});
