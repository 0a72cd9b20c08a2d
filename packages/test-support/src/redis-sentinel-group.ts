import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from '@portrait-farm/process-supervision';
import type { ChildHandle } from '@portrait-farm/process-supervision';
import { dataNodeArgs, startRedisNode } from './redis-node.ts';

/**
 * A primary, one replica (`--replicaof`) and three sentinels on 127.0.0.1 (quorum 2), with short failure detection,
 * for tests of failover. Every server has its own free port and the group one temporary directory.
 */
export interface RedisSentinelGroup {
  /** The name the sentinels monitor the primary under. */
  masterName: string;
  /** `127.0.0.1:PORT` of each sentinel. */
  sentinels: string[];
  /** `redis://127.0.0.1:PORT` of the first primary (with sentinels, a client takes only its password and database). */
  url: string;
  /** Port of the server the sentinels name primary now. */
  primaryPort(): Promise<number>;
  /** Resolves once the sentinels agree on a primary with one replica in sync (after a failover that left one). */
  settled(): Promise<void>;
  /** SIGKILLs the server that is primary now (no shutdown, no last write to disk); resolves with its port. */
  killPrimary(): Promise<number>;
  /**
   * Asks a sentinel for a failover while the primary is up (SENTINEL FAILOVER): the primary is demoted to a replica
   * of the promoted one. Resolves with the old primary's port.
   */
  forceFailover(): Promise<number>;
  /** Resolves with the new primary's port once the sentinels name another than `oldPort` and it answers as primary. */
  waitForFailover(oldPort: number, timeoutMs?: number): Promise<number>;
  /** Stops every process and removes the directory. */
  close(): Promise<void>;
}

export interface SentinelGroupOptions {
  /** @defaultValue "pf-primary" */
  masterName?: string;
  /** Sentinels call the primary down after this long without an answer. @defaultValue 1000 */
  downAfterMs?: number;
  /** @defaultValue 5000 */
  failoverTimeoutMs?: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A RESP reply of the commands asked here: a bulk string, an array of them, or null (nil, an error, no answer). */
type Reply = string | Reply[] | null;

/** Parses one reply at `offset` of `text`: [reply, the offset after it], or null while it is incomplete. */
function parseReply(text: string, offset: number): [Reply, number] | null {
  const lineEnd = text.indexOf('\r\n', offset);
  if (lineEnd < 0) return null;
  const head = text.slice(offset + 1, lineEnd);
  const next = lineEnd + 2;
  switch (text[offset]) {
    case '$': {
      const size = Number(head);
      if (size < 0) return [null, next];
      return Buffer.byteLength(text.slice(next)) < size + 2 ? null : [text.slice(next, next + size), next + size + 2];
    }
    case '*': {
      const count = Number(head);
      if (count < 0) return [null, next];
      const items: Reply[] = [];
      let at = next;
      for (let i = 0; i < count; i += 1) {
        const item = parseReply(text, at);
        if (item === null) return null;
        items.push(item[0]);
        at = item[1];
      }
      return [items, at];
    }
    case '+':
    case ':':
      return [head, next];
    default:
      return [null, next];
  }
}

/** Sends one command to the server on `port` and resolves with its reply, or null when it does not answer in time. */
function ask(port: number, command: string[], timeoutMs = 1000): Promise<Reply> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let answer = '';
    const done = (reply: Reply): void => {
      socket.destroy();
      resolve(reply);
    };
    socket.setEncoding('utf8');
    socket.setTimeout(timeoutMs, () => done(null));
    socket.once('connect', () => socket.write(`*${command.length}\r\n${command.map((part) => `$${Buffer.byteLength(part)}\r\n${part}\r\n`).join('')}`));
    socket.on('data', (data: string) => {
      answer += data;
      const parsed = parseReply(answer, 0);
      if (parsed !== null) done(parsed[0]);
    });
    socket.once('error', () => done(null));
    socket.once('end', () => done(null));
  });
}

async function info(port: number, section: string): Promise<string> {
  const reply = await ask(port, ['INFO', section]);
  return typeof reply === 'string' ? reply : '';
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Redis sentinel group: ${what} did not happen within ${timeoutMs} ms.`);
    await sleep(100);
  }
}

/**
 * Starts the primary, the replica (waits until it is in sync) and three sentinels (waits until each knows the primary,
 * its replica and the two other sentinels, so that a failover can be voted at once).
 */
export async function startRedisSentinelGroup(options: SentinelGroupOptions = {}): Promise<RedisSentinelGroup> {
  const masterName = options.masterName ?? 'pf-primary';
  const dir = await mkdtemp(join(tmpdir(), 'pf-sentinel-'));
  const children = new Map<number, ChildHandle>();
  const close = async (): Promise<void> => {
    await Promise.all([...children.values()].map((child) => child.stop(2000)));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const primary = await freePort();
    children.set(primary, await startRedisNode('redis primary', primary, dataNodeArgs(primary, dir)));
    const replica = await freePort();
    children.set(replica, await startRedisNode('redis replica', replica, [...dataNodeArgs(replica, dir), '--dbfilename', 'replica.rdb', '--replicaof', '127.0.0.1', String(primary)]));
    await until('the replica syncing', async () => /master_link_status:up/.test(await info(replica, 'replication')), 10_000);
    const sentinelPorts: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const port = await freePort();
      const file = join(dir, `sentinel-${port}.conf`);
      writeFileSync(
        file,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${masterName} 127.0.0.1 ${primary} 2`,
          `sentinel down-after-milliseconds ${masterName} ${options.downAfterMs ?? 1000}`,
          `sentinel failover-timeout ${masterName} ${options.failoverTimeoutMs ?? 5000}`,
          `sentinel parallel-syncs ${masterName} 1`,
          '',
        ].join('\n'),
      );
      children.set(port, await startRedisNode('redis sentinel', port, [file, '--sentinel', '--loglevel', 'warning']));
      sentinelPorts.push(port);
    }
    const primaryPort = async (): Promise<number> => {
      for (const port of sentinelPorts) {
        const address = await ask(port, ['SENTINEL', 'get-master-addr-by-name', masterName]);
        if (Array.isArray(address) && typeof address[1] === 'string') return Number(address[1]);
      }
      throw new Error('Redis sentinel group: no sentinel answers.');
    };
    const settle = async (timeoutMs: number): Promise<void> => {
      await until('every sentinel knowing the primary, its replica and the other sentinels', async () => {
        const infos = await Promise.all(sentinelPorts.map((port) => info(port, 'sentinel')));
        return infos.every((text) => new RegExp(`name=${masterName},status=ok,address=[^,]+,slaves=1,sentinels=3`).test(text));
      }, timeoutMs);
      const address = await primaryPort();
      await until('the replica in sync with the primary', async () => /connected_slaves:1[\s\S]*state=online/.test(await info(address, 'replication')), timeoutMs);
    };
    await settle(30_000);

    return {
      masterName,
      sentinels: sentinelPorts.map((port) => `127.0.0.1:${port}`),
      url: `redis://127.0.0.1:${primary}`,
      primaryPort,
      settled: () => settle(30_000),
      async killPrimary() {
        const port = await primaryPort();
        const child = children.get(port);
        if (child?.pid === null || child === undefined) throw new Error(`Redis sentinel group: the primary on port ${port} is not running.`);
        process.kill(child.pid, 'SIGKILL');
        await child.exit;
        return port;
      },
      async forceFailover() {
        const port = await primaryPort();
        const answer = await ask(sentinelPorts[0] ?? 0, ['SENTINEL', 'FAILOVER', masterName]);
        if (answer !== 'OK') throw new Error(`Redis sentinel group: SENTINEL FAILOVER answered ${JSON.stringify(answer)}.`);
        return port;
      },
      async waitForFailover(oldPort, timeoutMs = 30_000) {
        let port = oldPort;
        await until('a failover', async () => {
          port = await primaryPort().catch(() => oldPort);
          return port !== oldPort && /role:master/.test(await info(port, 'replication'));
        }, timeoutMs);
        return port;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
