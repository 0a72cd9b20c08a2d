import { request as httpRequest, STATUS_CODES, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** Options of {@link proxyStreamUpgrade}. */
export interface StreamProxyOptions {
  /** The host's session server (ws://, wss://, http:// or https://, no path): the upgrade goes to it with the client's path and query. */
  target: string;
  /** How long the host may take to answer the upgrade (ms); once piped, no timeout applies. @defaultValue 10 000 */
  answerWithinMs?: number;
  /** How long a side that ended its half may keep the other open before both are destroyed (ms). @defaultValue 5000 */
  lingerMs?: number;
}

/** How a proxied upgrade went: piped (and later closed), refused by the host (its status), or the host was not reached. */
export type StreamProxyOutcome =
  | {
      kind: 'piped';
      /** Settles once both connections have closed. */
      closed: Promise<void>;
      /** Destroys both connections at once (the proxy is going away). */
      destroy(): void;
    }
  | { kind: 'refused'; status: number }
  | { kind: 'unreachable'; error: Error };

/** Hop-by-hop headers that describe one connection and are not forwarded (the upgrade's own are set again). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host', 'content-length']);

/** Answers an upgrade request with `status` and a JSON body, and closes the connection. */
export function answerUpgrade(socket: Duplex, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  if (socket.destroyed) return;
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
}

function forwardedHeaders(request: IncomingMessage): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(request.headers)) if (!HOP_BY_HOP.has(name)) headers[name] = value;
  const client = request.socket.remoteAddress;
  if (client !== undefined) headers['x-forwarded-for'] = typeof headers['x-forwarded-for'] === 'string' ? `${headers['x-forwarded-for']}, ${client}` : client;
  return { ...headers, connection: 'Upgrade', upgrade: request.headers.upgrade ?? 'websocket' };
}

/** The status line and headers of an answer, as the client is sent them (`rawHeaders` keeps names' case and order). */
function head(statusCode: number, statusMessage: string, rawHeaders: readonly string[], skip: ReadonlySet<string> = new Set()): string {
  let text = `HTTP/1.1 ${statusCode} ${statusMessage}\r\n`;
  for (let i = 0; i < rawHeaders.length; i += 2) if (!skip.has(rawHeaders[i]!.toLowerCase())) text += `${rawHeaders[i]}: ${rawHeaders[i + 1]}\r\n`;
  return text;
}

function noDelay(socket: Duplex): void {
  if (socket instanceof Socket) socket.setNoDelay(true);
}

/**
 * Pipes two upgraded connections into each other, bytes untouched (WebSocket frames of either kind, close frames with
 * their codes and reasons), with backpressure both ways. A side that ends its half ends the other's; one that fails or
 * closes takes the other with it, at once on an error, after `lingerMs` otherwise.
 */
function pipeBothWays(client: Duplex, host: Duplex, lingerMs: number): Promise<void> {
  client.pipe(host);
  host.pipe(client);
  return new Promise((resolve) => {
    let remaining = 2;
    const closedOne = (other: Duplex) => () => {
      if (!other.destroyed) setTimeout(() => other.destroy(), lingerMs).unref();
      if (--remaining === 0) resolve();
    };
    client.once('close', closedOne(host));
    host.once('close', closedOne(client));
    client.on('error', () => host.destroy());
    host.on('error', () => client.destroy());
  });
}

/**
 * Forwards a WebSocket upgrade to the host that serves the session and, when the host accepts it, pipes the two
 * connections together. The host checks the token and the handshake (one place for both); its refusal reaches the
 * client as it answered it (status, headers, JSON body). A client gone before the host answered aborts the upgrade.
 */
export function proxyStreamUpgrade(request: IncomingMessage, client: Duplex, clientHead: Buffer, options: StreamProxyOptions): Promise<StreamProxyOutcome> {
  const target = new URL(options.target.replace(/^ws/, 'http'));
  noDelay(client);
  if (client instanceof Socket) client.setTimeout(0);
  return new Promise((resolve) => {
    const upstream = (target.protocol === 'https:' ? httpsRequest : httpRequest)({
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      path: request.url ?? '/',
      method: request.method ?? 'GET',
      headers: forwardedHeaders(request),
      timeout: options.answerWithinMs ?? 10_000,
    });
    let answered = false;
    const clientGone = (): void => {
      if (!answered) upstream.destroy();
    };
    client.once('close', clientGone);
    client.on('error', () => {});
    upstream.on('socket', (socket) => socket.setNoDelay(true));
    upstream.on('timeout', () => upstream.destroy(new Error(`the session host ${target.host} did not answer the upgrade within ${options.answerWithinMs ?? 10_000} ms`)));
    upstream.on('error', (error) => {
      if (answered) return;
      answered = true;
      resolve({ kind: 'unreachable', error });
    });
    upstream.on('upgrade', (answer: IncomingMessage, host: Duplex, hostHead: Buffer) => {
      answered = true;
      client.off('close', clientGone);
      if (client.destroyed) {
        host.destroy();
        resolve({ kind: 'refused', status: 499 });
        return;
      }
      host.on('error', () => {});
      if (host instanceof Socket) host.setTimeout(0);
      client.write(`${head(101, answer.statusMessage ?? 'Switching Protocols', answer.rawHeaders)}\r\n`);
      if (hostHead.length > 0) client.write(hostHead);
      if (clientHead.length > 0) host.write(clientHead);
      const destroy = (): void => {
        client.destroy();
        host.destroy();
      };
      resolve({ kind: 'piped', closed: pipeBothWays(client, host, options.lingerMs ?? 5000), destroy });
    });
    upstream.on('response', (answer: IncomingMessage) => {
      answered = true;
      client.off('close', clientGone);
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('error', () => client.destroy());
      answer.on('end', () => {
        const body = Buffer.concat(chunks);
        const status = answer.statusCode ?? 502;
        const skip = new Set(['connection', 'transfer-encoding', 'content-length', 'keep-alive']);
        client.end(Buffer.concat([Buffer.from(`${head(status, answer.statusMessage ?? '', answer.rawHeaders, skip)}Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`), body]));
        resolve({ kind: 'refused', status });
      });
    });
    upstream.end();
  });
}
