import { readFileSync } from 'node:fs';
import { connect, rootCertificates } from 'node:tls';
import type { ConnectionOptions } from 'node:tls';
import type { Cluster, Redis } from 'ioredis';
import { isTlsHandshakeError } from '@portrait-farm/contracts/tls-errors';
import { QueueError } from './errors.ts';

/** The TLS options of a rediss:// connection: the CA of `caFile` trusted (as well as Node's root CAs), or none. */
export function redisTlsOptions(url: URL, caFile: string | null): ConnectionOptions | null {
  if (url.protocol !== 'rediss:') {
    if (caFile !== null) throw new QueueError('QUEUE_BAD_OPTION', `A Redis CA (${caFile}) is given, but the Redis URL is ${url.protocol}// (no TLS): use rediss:// to connect over TLS.`);
    return null;
  }
  if (caFile === null) return {};
  let ca: string;
  try {
    ca = readFileSync(caFile, 'utf8');
  } catch (error) {
    throw new QueueError('QUEUE_BAD_OPTION', `The Redis CA file ${caFile} cannot be read: ${(error as Error).message}`);
  }
  if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new QueueError('QUEUE_BAD_OPTION', `The Redis CA file ${caFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----).`);
  // `ca` alone would replace Node's bundled roots; the private CA is added to them.
  return { ca: [...rootCertificates, ca] };
}

const failures = new WeakMap<Redis | Cluster, QueueError>();

/** The error that ended the connection for good (QUEUE_REDIS_TLS), or null: a failed command's error says only "Connection is closed". */
export function redisConnectionFailure(redis: Redis | Cluster): QueueError | null {
  return failures.get(redis) ?? null;
}

/** The QUEUE_REDIS_TLS error of a connection whose handshake failed for good, recorded for {@link redisConnectionFailure}. */
export function recordTlsFailure(redis: Redis | Cluster, endpoint: string, cause: Error, caFile: string | null): QueueError {
  const trust = caFile === null ? "this process trusts only Node's root CAs; give the CA that signed the server certificate in PORTRAIT_FARM_REDIS_CA" : `the CA of ${caFile} (PORTRAIT_FARM_REDIS_CA) did not verify it`;
  const failure = new QueueError(
    'QUEUE_REDIS_TLS',
    `TLS to Redis at ${endpoint} failed: ${cause.message} (${String((cause as { code?: unknown }).code)}); ${trust}. Not retried.`,
    { cause },
  );
  failures.set(redis, failure);
  return failure;
}

/**
 * The error of a TLS handshake with `host:port` under `tls` that cannot succeed (an untrusted certificate, a server
 * without TLS), or null when the handshake succeeds or fails for another reason (the server down, a timeout).
 */
export function tlsHandshakeFailure(host: string, port: number, tls: ConnectionOptions, timeoutMs = 3000): Promise<Error | null> {
  return new Promise((resolve) => {
    const socket = connect({ ...tls, host, port });
    let settled = false;
    const done = (error: Error | null): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(error);
    };
    socket.setTimeout(timeoutMs, () => done(null));
    socket.once('secureConnect', () => done(null));
    socket.on('error', (error: Error) => done(isTlsHandshakeError(error) ? error : null));
  });
}
