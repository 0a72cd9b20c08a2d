import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, redisServerInfo, startProcess } from '@portrait-farm/process-supervision';
import type { ChildHandle } from '@portrait-farm/process-supervision';

const run = promisify(execFile);

/** A Redis Cluster of `masters` masters and no replicas on 127.0.0.1, every slot assigned, for tests. */
async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 30_000 });
  return stdout;
}

export interface RedisClusterProcess {
  /** `127.0.0.1:PORT` of each master. */
  nodes: string[];
  /** The hash slot of a key, as the cluster computes it (CLUSTER KEYSLOT). */
  keySlot(key: string): Promise<number>;
  /** `127.0.0.1:PORT` of the master serving a key's slot (CLUSTER NODES). */
  nodeServing(key: string): Promise<string>;
  /** How many keys the cluster holds in a key's slot (CLUSTER COUNTKEYSINSLOT on the node serving it). */
  keysInSlotOf(key: string): Promise<number>;
  /** Stops every node and removes the directory. */
  close(): Promise<void>;
}

/**
 * Starts `masters` (at least 3) `redis-server --cluster-enabled yes` nodes on free ports, joins them with
 * `redis-cli --cluster create ... --cluster-replicas 0 --cluster-yes` and waits until every node reports
 * cluster_state:ok.
 */
export async function startRedisCluster(masters = 3): Promise<RedisClusterProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'pf-cluster-'));
  const children: ChildHandle[] = [];
  const ports: number[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(children.map((child) => child.stop(2000)));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i += 1) {
      const port = await freePort();
      const nodeDir = join(dir, String(port));
      await mkdir(nodeDir);
      // The bus port is named: the default, port + 10000, may be past 65535 or taken.
      const busPort = await freePort();
      const args = ['--bind', '127.0.0.1', '--port', String(port), '--dir', nodeDir, '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-port', String(busPort)];
      args.push('--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction', '--loglevel', 'warning');
      children.push(
        await startProcess({
          name: `redis cluster node on port ${port}`,
          command: 'redis-server',
          args,
          readyTimeoutMs: 10_000,
          readyIntervalMs: 30,
          ready: async (child) => (await redisServerInfo(port))?.pid === child.pid,
        }),
      );
      ports.push(port);
    }
    await run('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 60_000 });
    const deadline = Date.now() + 30_000;
    for (const port of ports) {
      while (!/cluster_state:ok/.test(await cli(port, 'CLUSTER', 'INFO'))) {
        if (Date.now() > deadline) throw new Error(`Redis cluster: the node on port ${port} did not reach cluster_state:ok within 30 s.`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const keySlot = async (key: string): Promise<number> => Number((await cli(ports[0] ?? 0, 'CLUSTER', 'KEYSLOT', key)).trim());
    const nodeServing = async (key: string): Promise<string> => {
      const slot = await keySlot(key);
      // "<id> <ip:port@cport> <flags> <master> <ping> <pong> <epoch> <state> <slot ranges...>"
      for (const line of (await cli(ports[0] ?? 0, 'CLUSTER', 'NODES')).split('\n')) {
        const fields = line.trim().split(/\s+/);
        const ranges = fields.slice(8).map((range) => range.split('-').map(Number));
        if (ranges.some(([from = -1, to = from]) => slot >= from && slot <= to)) return (fields[1] ?? '').split('@')[0] ?? '';
      }
      throw new Error(`Redis cluster: no node serves slot ${slot}.`);
    };
    return {
      nodes: ports.map((port) => `127.0.0.1:${port}`),
      keySlot,
      nodeServing,
      async keysInSlotOf(key) {
        const node = await nodeServing(key);
        return Number((await cli(Number(node.split(':')[1]), 'CLUSTER', 'COUNTKEYSINSLOT', String(await keySlot(key)))).trim());
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
