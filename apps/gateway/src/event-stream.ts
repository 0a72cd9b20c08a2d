import type { ServerResponse } from 'node:http';

/** How often an open stream sends a comment, so proxies and the browser keep it open. */
export const EVENT_STREAM_HEARTBEAT_MS = 15_000;

/**
 * The most an open stream may hold unsent (a client that reads too slowly, or not at all): past it the connection is
 * dropped and the client reconnects (EventSource does) to a fresh overview, rather than the gateway buffering for it.
 */
export const EVENT_STREAM_MAX_BUFFERED_BYTES = 1024 * 1024;

/** One server-sent event: its name and its data as JSON (one line). */
export function formatEvent(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

export interface EventStream {
  send(name: string, data: unknown): void;
  /** Ends the response (the gateway shuts down); `onEnd` runs once, whoever ends it. */
  end(): void;
}

export interface EventStreamOptions {
  /** Runs once when the client goes away, the stream is dropped, or `end` is called. */
  onEnd: () => void;
  /** The stream was dropped: its client left more than `maxBufferedBytes` unread. @defaultValue nothing */
  onOverflow?: (bufferedBytes: number) => void;
  /** @defaultValue {@link EVENT_STREAM_HEARTBEAT_MS} */
  heartbeatMs?: number;
  /** @defaultValue {@link EVENT_STREAM_MAX_BUFFERED_BYTES} */
  maxBufferedBytes?: number;
}

/**
 * Starts a text/event-stream answer on `response` (a hijacked Fastify reply): headers, a retry hint, a heartbeat
 * comment every `heartbeatMs`. What the client has not read yet (the response's and its socket's buffers) is bounded
 * by `maxBufferedBytes`: a write past it destroys the connection.
 */
export function openEventStream(response: ServerResponse, options: EventStreamOptions): EventStream {
  const maxBufferedBytes = options.maxBufferedBytes ?? EVENT_STREAM_MAX_BUFFERED_BYTES;
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  response.write('retry: 3000\n: connected\n\n');
  let ended = false;
  const finish = (): void => {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    options.onEnd();
  };
  const write = (text: string): void => {
    if (ended || response.writableEnded || response.destroyed) return;
    if (response.writableLength + Buffer.byteLength(text) > maxBufferedBytes) {
      options.onOverflow?.(response.writableLength);
      response.destroy();
      finish();
      return;
    }
    response.write(text);
  };
  const heartbeat = setInterval(() => write(': heartbeat\n\n'), options.heartbeatMs ?? EVENT_STREAM_HEARTBEAT_MS);
  heartbeat.unref();
  response.once('close', finish);
  return {
    send(name, data) {
      write(formatEvent(name, data));
    },
    end() {
      finish();
      if (!response.writableEnded) response.end();
    },
  };
}
