import type { ServerResponse } from 'node:http';

/** How often an open stream sends a comment, so proxies and the browser keep it open. */
export const EVENT_STREAM_HEARTBEAT_MS = 15_000;

/** One server-sent event: its name and its data as JSON (one line). */
export function formatEvent(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

export interface EventStream {
  send(name: string, data: unknown): void;
  /** Ends the response (the gateway shuts down); `onEnd` runs once, whoever ends it. */
  end(): void;
}

/**
 * Starts a text/event-stream answer on `response` (a hijacked Fastify reply): headers, a retry hint, a heartbeat
 * comment every {@link EVENT_STREAM_HEARTBEAT_MS}. `onEnd` runs once when the client goes away or `end` is called.
 */
export function openEventStream(response: ServerResponse, onEnd: () => void, heartbeatMs = EVENT_STREAM_HEARTBEAT_MS): EventStream {
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  response.write('retry: 3000\n: connected\n\n');
  let ended = false;
  const heartbeat = setInterval(() => response.write(': heartbeat\n\n'), heartbeatMs);
  heartbeat.unref();
  const finish = (): void => {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    onEnd();
  };
  response.once('close', finish);
  return {
    send(name, data) {
      if (!ended && !response.writableEnded) response.write(formatEvent(name, data));
    },
    end() {
      finish();
      if (!response.writableEnded) response.end();
    },
  };
}
