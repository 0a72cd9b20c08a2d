import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@portrait-farm/process-supervision';
import type { ChildHandle } from '@portrait-farm/process-supervision';
import { dataNodeArgs, startRedisNode } from './redis-node.ts';
import type { RedisTlsFiles } from './redis-node.ts';

const run = promisify(execFile);

/** redis-cli's arguments to reach the nodes: none in plain TCP, `--tls` and the CA with `tls`. */
function cliTls(tls: RedisTlsFiles | undefined): string[] {
  return tls === undefined ? [] : ['--tls', '--cacert', tls.caFile];
}

/** A Redis Cluster of `masters` masters (and `replicas` replicas of each) on 127.0.0.1, every slot assigned, for tests. */
export interface RedisClusterProcess {
  /** `127.0.0.1:PORT` of each master. */
  nodes: string[];
  /** The hash slot of a key, as the cluster computes it (CLUSTER KEYSLOT). */
  keySlot(key: string): Promise<number>;
  /** `127.0.0.1:PORT` of the master serving a key's slot (CLUSTER NODES). */
  nodeServing(key: string): Promise<string>;
  /** How many keys the cluster holds in a key's slot (CLUSTER COUNTKEYSINSLOT on the node serving it). */
  keysInSlotOf(key: string): Promise<number>;
  /** SIGKILLs the master serving a key's slot; resolves with its `127.0.0.1:PORT`. */
  killNodeServing(key: string): Promise<string>;
  /** Resolves with the master serving a key's slot once it is another than `oldNode` and the cluster is ok again. */
  waitForFailover(key: string, oldNode: string, timeoutMs?: number): Promise<string>;
  /** Stops every node and removes the directory. */
  close(): Promise<void>;
}

export interface StartRedisClusterOptions {
  /** Replicas of each master (a failover needs one). @defaultValue 0 */
  replicas?: number;
  /** A node not answering this long is failed and its replica promoted (cluster-node-timeout). @defaultValue 15000 */
  nodeTimeoutMs?: number;
  /** Every node serves TLS only, on its port and on the cluster bus, with these files. @defaultValue plain TCP */
  tls?: RedisTlsFiles;
}

/**
 * Starts `masters` (at least 3) `redis-server --cluster-enabled yes` nodes on free ports, and `replicas` per master,
 * joins them with `redis-cli --cluster create ... --cluster-replicas N --cluster-yes` and waits until every node
 * reports cluster_state:ok.
 */
export async function startRedisCluster(masters = 3, options: StartRedisClusterOptions = {}): Promise<RedisClusterProcess> {
  const { replicas = 0, tls } = options;
  const cli = async (port: number, ...args: string[]): Promise<string> => {
    const { stdout } = await run('redis-cli', [...cliTls(tls), '-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 30_000 });
    return stdout;
  };
  const dir = await mkdtemp(join(tmpdir(), 'pf-cluster-'));
  const children = new Map<number, ChildHandle>();
  const ports: number[] = [];
  const close = async (): Promise<void> => {
    await Promise.all([...children.values()].map((child) => child.stop(2000)));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters * (1 + replicas); i += 1) {
      const port = await freePort();
      const nodeDir = join(dir, String(port));
      await mkdir(nodeDir);
      // The bus port is named: the default, port + 10000, may be past 65535 or taken.
      const busPort = await freePort();
      const cluster = ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-port', String(busPort), '--cluster-node-timeout', String(options.nodeTimeoutMs ?? 15_000)];
      const tlsBus = tls === undefined ? [] : ['--tls-cluster', 'yes', '--tls-replication', 'yes'];
      children.set(port, await startRedisNode('redis cluster node', port, [...dataNodeArgs(port, nodeDir, tls), ...cluster, ...tlsBus], tls));
      ports.push(port);
    }
    await run('redis-cli', [...cliTls(tls), '--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', String(replicas), '--cluster-yes'], { timeout: 60_000 });
    const deadline = Date.now() + 30_000;
    for (const port of ports) {
      while (!/cluster_state:ok/.test(await cli(port, 'CLUSTER', 'INFO'))) {
        if (Date.now() > deadline) throw new Error(`Redis cluster: the node on port ${port} did not reach cluster_state:ok within 30 s.`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    // Questions go to a node still running (one may have been killed).
    const anyNode = (): number => ports.find((port) => children.get(port)?.exited === null) ?? 0;
    const keySlot = async (key: string): Promise<number> => Number((await cli(anyNode(), 'CLUSTER', 'KEYSLOT', key)).trim());
    const nodeServing = async (key: string): Promise<string> => {
      const slot = await keySlot(key);
      // "<id> <ip:port@cport> <flags> <master> <ping> <pong> <epoch> <state> <slot ranges...>"
      for (const line of (await cli(anyNode(), 'CLUSTER', 'NODES')).split('\n')) {
        const fields = line.trim().split(/\s+/);
        const ranges = fields.slice(8).map((range) => range.split('-').map(Number));
        if (!/fail/.test(fields[2] ?? '') && ranges.some(([from = -1, to = from]) => slot >= from && slot <= to)) return (fields[1] ?? '').split('@')[0] ?? '';
      }
      throw new Error(`Redis cluster: no node serves slot ${slot}.`);
    };
    return {
      nodes: ports.map((port) => `127.0.0.1:${port}`),
      async waitForFailover(key, oldNode, timeoutMs = 30_000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const node = await nodeServing(key).catch(() => oldNode);
          if (node !== oldNode && /cluster_state:ok/.test(await cli(anyNode(), 'CLUSTER', 'INFO'))) return node;
          if (Date.now() > deadline) throw new Error(`Redis cluster: no replica took over from ${oldNode} within ${timeoutMs} ms.`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      },
      async killNodeServing(key) {
        const node = await nodeServing(key);
        const child = children.get(Number(node.split(':')[1]));
        if (child?.pid === null || child === undefined) throw new Error(`Redis cluster: the node ${node} is not running.`);
        process.kill(child.pid, 'SIGKILL');
        await child.exit;
        return node;
      },
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
