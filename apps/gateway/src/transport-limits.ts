import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyRequest } from 'fastify';
import type { ResolvedGatewayConfig } from './config.ts';
import { GatewayError } from './errors.ts';
import type { GatewayMetrics } from './metrics.ts';

// How long a client may take to send a request, and what happens to a connection that goes wrong:
// - headers: Node's headersTimeout; the whole request: Node's requestTimeout (both checked every
//   connectionsCheckingInterval); a silence while a request arrives: watchIdleRequests's sweep over the open sockets
//   (bytes read since the last sweep). None of them costs a timer or a listener per request, so the normal path keeps
//   its speed; a request that arrived whole keeps its socket while it is answered (a create may download inputs for
//   longer than the idle timeout), and idle keep-alive sockets stay Node's (keepAliveTimeout);
// - every such timeout answers 408 GATEWAY_REQUEST_TIMEOUT and closes the socket, which ends the body stream, so a
//   create in progress fails and removes its spool folder;
// - an answer given before the body was read (413, 400, 401...) says Connection: close, so the server stops reading a
//   body nobody wants and the client is not left waiting on a keep-alive socket; the socket closes once the rest of
//   the body has arrived (dropped unread) or LINGER_MS after the answer, whichever is first (lingerAfterEarlyAnswer).

type Timeouts = ResolvedGatewayConfig['timeouts'];

/** Sockets closed by a timeout: the route's error handler reports their request as timed out, not as client closed. */
const timedOutSockets = new WeakSet<Socket>();

/** How often Node checks the header and whole-request deadlines: a quarter of the shorter one, 50 ms to 1 s. */
function checkingIntervalMs(timeouts: Timeouts): number {
  return Math.min(1000, Math.max(50, Math.floor(Math.min(timeouts.headerMs, timeouts.bodyMs) / 4)));
}

/** How often watchIdleRequests looks at the sockets: a quarter of the idle timeout, 25 ms to 1 s. */
function sweepIntervalMs(timeouts: Timeouts): number {
  return Math.min(1000, Math.max(25, Math.floor(timeouts.idleMs / 4)));
}

/** The Fastify (and node:http) options that apply the header and whole-request timeouts. */
export function serverTimeoutOptions(timeouts: Timeouts): { requestTimeout: number; http: ServerOptions } {
  return {
    requestTimeout: timeouts.bodyMs,
    http: { headersTimeout: timeouts.headerMs, requestTimeout: timeouts.bodyMs, connectionsCheckingInterval: checkingIntervalMs(timeouts) },
  };
}

function timeoutError(what: string): GatewayError {
  return new GatewayError('GATEWAY_REQUEST_TIMEOUT', `${what}; the connection is closed. Send the request again, without pauses.`);
}

/** The response on the socket, when one has begun (Node's own field, null between requests; a ServerResponse knows its request). */
function responseOn(socket: Socket): ServerResponse | null {
  return (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage ?? null;
}

/**
 * Writes `error` as a whole HTTP response straight to the socket (unless a response has begun there) and destroys the
 * socket at once, as Node does for its own client errors: the request in progress is aborted there and then, so its
 * handler fails (removing its spool folder) and cannot go on to create a job the client was told timed out.
 */
function answerAndClose(socket: Socket, error: GatewayError): void {
  const response = responseOn(socket);
  if (socket.writable && (response === null || !response.headersSent)) {
    const body = JSON.stringify({ error: { code: error.code, message: error.message } });
    socket.write(
      `HTTP/1.1 ${error.status} ${error.status === 408 ? 'Request Timeout' : 'Bad Request'}\r\ncontent-type: application/json; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/**
 * Fastify's clientErrorHandler: the errors node:http raises on a connection (its header and whole-request timeouts,
 * the latter also while a route reads the body; unparsable HTTP) answered in the catalogue's shape and counted.
 */
export function clientErrorHandler(metrics: GatewayMetrics, timeouts: Timeouts) {
  return (error: Error & { code?: string }, socket: Socket): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    let gatewayError: GatewayError;
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      timedOutSockets.add(socket);
      const response = responseOn(socket);
      gatewayError = response === null
        ? timeoutError(`The request line and headers did not arrive within ${timeouts.headerMs} ms`)
        : timeoutError(`The request body did not arrive within ${timeouts.bodyMs} ms of the request's start`);
    } else if (error.code === 'HPE_HEADER_OVERFLOW') {
      gatewayError = new GatewayError('GATEWAY_BAD_REQUEST', 'The request headers are too large (at most 16 KiB in all).');
    } else {
      gatewayError = new GatewayError('GATEWAY_BAD_REQUEST', `The request is not valid HTTP/1.1 (${error.code ?? error.message}).`);
    }
    metrics.rejections.inc({ code: gatewayError.code });
    answerAndClose(socket, gatewayError);
  };
}

/**
 * Closes with 408 the sockets whose request stopped arriving: nothing read for the idle timeout while a request's
 * headers are in and its body is not. Sockets between requests (keep-alive) or whose request arrived whole are left to
 * Node's keep-alive timeout and to the gateway's answer; a connection that never sends a request meets the header
 * timeout. Stops when the server closes.
 */
export function watchIdleRequests(server: Server, metrics: GatewayMetrics, timeouts: Timeouts): void {
  const seen = new Map<Socket, { bytes: number; since: number }>();
  server.on('connection', (socket: Socket) => {
    seen.set(socket, { bytes: 0, since: Date.now() });
    socket.once('close', () => seen.delete(socket));
  });
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [socket, last] of seen) {
      if (socket.bytesRead !== last.bytes) {
        last.bytes = socket.bytesRead;
        last.since = now;
        continue;
      }
      if (now - last.since < timeouts.idleMs) continue;
      const response = responseOn(socket);
      if (response === null || response.req.complete || socket.destroyed) continue;
      seen.delete(socket);
      timedOutSockets.add(socket);
      const error = timeoutError(`The request body stopped: nothing arrived for ${timeouts.idleMs} ms`);
      metrics.rejections.inc({ code: error.code });
      answerAndClose(socket, error);
    }
  }, sweepIntervalMs(timeouts));
  sweep.unref();
  server.once('close', () => clearInterval(sweep));
}

/**
 * Why a request can no longer be answered: 'timeout' when the gateway closed its socket for a timeout (already
 * answered 408 and counted), 'closed' when the client went away first; null while the client waits for the answer.
 */
export function clientGone(request: FastifyRequest, error: unknown): 'timeout' | 'closed' | null {
  const socket = request.raw.socket as Socket | null;
  if (socket !== null && timedOutSockets.has(socket)) return 'timeout';
  const code = (error as { code?: unknown } | null)?.code;
  const closedCode = code === 'FST_MP_PREMATURE_CLOSE' || code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE';
  if (closedCode || socket === null || socket.destroyed || (request.raw.destroyed && !request.raw.complete)) return 'closed';
  return null;
}

/** True while the request's body has not all been read (an answer given now leaves the rest unread). */
export function bodyUnread(request: FastifyRequest): boolean {
  const { headers, complete } = request.raw;
  return !complete && (headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0);
}

/** How long after an early answer the gateway goes on reading (and dropping) the unread body before it closes. */
export const LINGER_MS = 2000;

/**
 * Called with an answer given before the request's body was all read (sendError, Connection: close): once the answer
 * is sent, the socket stays open while the rest of the body arrives, dropped unread, and closes when it has all
 * arrived or LINGER_MS after the answer. Node closes such a socket as soon as the answer is written; the client's next
 * bytes then meet a reset, and a client still sending its body can lose the answer it has not read yet (seen under
 * load: an early 413 never reached the client). This is the "lingering close" of web servers.
 */
export function lingerAfterEarlyAnswer(request: IncomingMessage): void {
  const socket = request.socket as Socket | null;
  if (socket === null || socket.destroyed) return;
  request.resume();
  socket.destroySoon = () => {
    socket.end();
    const close = (): void => {
      clearTimeout(timer);
      socket.destroy();
    };
    const timer = setTimeout(close, LINGER_MS);
    timer.unref();
    if (request.complete) close();
    else request.once('end', close);
    socket.once('close', () => clearTimeout(timer));
  };
}
