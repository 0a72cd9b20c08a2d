import { readFileSync } from 'node:fs';
import { redisServerInfo, startProcess } from '@portrait-farm/process-supervision';
import type { ChildHandle } from '@portrait-farm/process-supervision';

/** PEM files of a TLS redis-server: its certificate and key, and the CA that signed them (see tls-certificates.ts). */
export interface RedisTlsFiles {
  certFile: string;
  keyFile: string;
  caFile: string;
}

/** Whether the redis-server on the port (over TLS with `tls`) is `pid` and has loaded its data. */
export async function isRedisServer(port: number, pid: number | null, tls?: RedisTlsFiles): Promise<boolean> {
  const info = await redisServerInfo(port, tls === undefined ? {} : { tlsCa: readFileSync(tls.caFile) });
  return info !== null && info.pid === pid && !info.loading;
}

/** Starts `redis-server args` (or a sentinel); ready once the server on the port is this child (over TLS with `tls`). */
export function startRedisNode(name: string, port: number, args: string[], tls?: RedisTlsFiles): Promise<ChildHandle> {
  return startProcess({
    name: `${name} on port ${port}`,
    command: 'redis-server',
    args,
    readyTimeoutMs: 10_000,
    readyIntervalMs: 30,
    ready: (child) => isRedisServer(port, child.pid, tls),
  });
}

/** Where a server listens: plain TCP on the port, or with `tls` TLS only on it (clients need no certificate). */
export function listenArgs(port: number, tls?: RedisTlsFiles): string[] {
  return tls === undefined
    ? ['--port', String(port)]
    : ['--port', '0', '--tls-port', String(port), '--tls-cert-file', tls.certFile, '--tls-key-file', tls.keyFile, '--tls-ca-cert-file', tls.caFile, '--tls-auth-clients', 'no'];
}

/** The arguments of a data server of a test group: 127.0.0.1, no persistence, no eviction, warnings only. */
export function dataNodeArgs(port: number, dir: string, tls?: RedisTlsFiles): string[] {
  return ['--bind', '127.0.0.1', ...listenArgs(port, tls), '--dir', dir, '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction', '--loglevel', 'warning'];
}
