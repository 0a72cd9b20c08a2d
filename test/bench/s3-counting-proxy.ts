import { createServer, request as httpRequest } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { objectKindOf } from './capacity-figures.ts';
import type { ObjectKind } from './capacity-figures.ts';

/** Requests and body bytes of one method on one kind of object. */
export interface TrafficCount {
  requests: number;
  /** Body bytes sent to the S3 server (uploads). */
  bytesIn: number;
  /** Body bytes the S3 server answered (downloads, listings). */
  bytesOut: number;
}

/** An HTTP proxy on 127.0.0.1 in front of an S3-protocol server that counts what passes, by method and object kind. */
export interface S3CountingProxy {
  /** The endpoint to give the farm instead of the server's. */
  endpoint: string;
  /** Counts so far, keyed `METHOD kind` (e.g. `PUT chunk`). */
  counts(): Map<string, TrafficCount>;
  reset(): void;
  close(): Promise<void>;
}

/**
 * Starts a proxy that forwards every request unchanged (headers included: the SigV4 signature covers the Host the
 * client sent) to `upstream` (http://host:port) and counts requests and body bytes by method and {@link ObjectKind}.
 */
export async function startS3CountingProxy(upstream: string): Promise<S3CountingProxy> {
  const target = new URL(upstream);
  if (target.protocol !== 'http:') throw new Error(`The counting proxy forwards to an http:// S3 endpoint. Passed: ${upstream}`);
  let counts = new Map<string, TrafficCount>();
  const countOf = (method: string, kind: ObjectKind): TrafficCount => {
    const key = `${method} ${kind}`;
    let count = counts.get(key);
    if (count === undefined) {
      count = { requests: 0, bytesIn: 0, bytesOut: 0 };
      counts.set(key, count);
    }
    return count;
  };
  const server: Server = createServer((incoming, outgoing) => {
    const count = countOf(incoming.method ?? 'GET', objectKindOf(incoming.url ?? '/'));
    count.requests += 1;
    const forwarded = httpRequest(
      { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.on('data', (part: Buffer) => {
          count.bytesOut += part.length;
        });
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', (error) => {
      if (!outgoing.headersSent) outgoing.writeHead(502);
      outgoing.end(`counting proxy: ${error.message}`);
    });
    incoming.on('data', (part: Buffer) => {
      count.bytesIn += part.length;
    });
    incoming.pipe(forwarded);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts: () => new Map([...counts].map(([key, value]) => [key, { ...value }])),
    reset() {
      counts = new Map();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
