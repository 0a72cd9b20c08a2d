import { Cluster } from 'ioredis';
import type { Redis } from 'ioredis';

/**
 * The keys matching `pattern`, one SCAN batch at a time. On a Cluster every master is scanned: SCAN sent to the
 * Cluster itself reaches one node, not necessarily the one holding the keys.
 */
export async function* scanKeys(redis: Redis | Cluster, pattern: string, count = 500): AsyncGenerator<string[]> {
  const servers = redis instanceof Cluster ? redis.nodes('master') : [redis];
  for (const server of servers) {
    let cursor = '0';
    do {
      const [next, keys] = await server.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      yield keys;
    } while (cursor !== '0');
  }
}
