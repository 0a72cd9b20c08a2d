import { mkdir } from 'node:fs/promises';
import { freePort, isProcessError, redisServerInfo, superviseProcess } from '@portrait-farm/process-supervision';
import type { SupervisedProcess, SuperviseOptions } from '@portrait-farm/process-supervision';

/** How {@link startOwnRedis} supervises the server: the local farm's guard, group, abort signal, log. */
export type OwnRedisSupervision = Omit<SuperviseOptions, 'name' | 'command' | 'args' | 'cwd' | 'ready'>;

/**
 * Starts the local farm's own redis-server on a free port of 127.0.0.1, every write in the append-only file in `dir`,
 * fsynced before Redis answers it (`appendfsync always`: a job answered 202 survives a crash of Redis and of the
 * machine; see apps/gateway/README.md, "Durability"), restarted if it dies. Ready once the server on the
 * port is this child (not a Redis another program took the port with) and has loaded its file. A port taken between
 * choosing it and binding it is chosen again.
 */
export async function startOwnRedis(dir: string, supervision: OwnRedisSupervision): Promise<{ redis: SupervisedProcess; url: string }> {
  await mkdir(dir, { recursive: true });
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const args = ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir];
    try {
      const redis = await superviseProcess({
        readyTimeoutMs: 30_000,
        ...supervision,
        name: 'redis-server',
        command: 'redis-server',
        args,
        cwd: dir,
        ready: async (child) => {
          const info = await redisServerInfo(port);
          return info !== null && info.pid === child.pid && !info.loading;
        },
      });
      return { redis, url: `redis://127.0.0.1:${port}` };
    } catch (error) {
      const portTaken = isProcessError(error) && error.code === 'PROCESS_EXITED' && /Address already in use/i.test(error.message);
      if (!portTaken || attempt === 3) throw error;
    }
  }
}
