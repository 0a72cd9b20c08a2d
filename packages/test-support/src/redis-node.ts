import { redisServerInfo, startProcess } from '@portrait-farm/process-supervision';
import type { ChildHandle } from '@portrait-farm/process-supervision';

/** Starts `redis-server args` (or a sentinel); ready once the server on the port is this child. */
export function startRedisNode(name: string, port: number, args: string[]): Promise<ChildHandle> {
  return startProcess({
    name: `${name} on port ${port}`,
    command: 'redis-server',
    args,
    readyTimeoutMs: 10_000,
    readyIntervalMs: 30,
    ready: async (child) => (await redisServerInfo(port))?.pid === child.pid,
  });
}

/** The arguments of a data server of a test group: 127.0.0.1, no persistence, no eviction, warnings only. */
export function dataNodeArgs(port: number, dir: string): string[] {
  return ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction', '--loglevel', 'warning'];
}
