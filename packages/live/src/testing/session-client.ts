import { WebSocket } from 'ws';
import type { ServerMessage } from '@portrait-farm/contracts';

/** A real WebSocket client of a session's stream, keeping every message it got. */
export interface SessionClient {
  socket: WebSocket;
  texts: ServerMessage[];
  binaries: Buffer[];
  closed: Promise<void>;
  /** Resolves once a text message of this type arrived (the first such). */
  next<T extends ServerMessage['type']>(type: T, timeoutMs?: number): Promise<Extract<ServerMessage, { type: T }>>;
}

export async function connectSession(url: string): Promise<SessionClient> {
  const socket = new WebSocket(url);
  const client: SessionClient = {
    socket,
    texts: [],
    binaries: [],
    closed: new Promise((resolve) => socket.once('close', () => resolve())),
    async next(type, timeoutMs = 60_000) {
      const start = Date.now();
      for (;;) {
        const found = client.texts.find((m) => m.type === type);
        if (found !== undefined) return found as Extract<ServerMessage, { type: typeof type }>;
        if (Date.now() - start > timeoutMs) throw new Error(`no ${type} message within ${timeoutMs} ms; got ${client.texts.map((m) => m.type).join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
  socket.on('message', (data, isBinary) => {
    if (isBinary) client.binaries.push(data as Buffer);
    else client.texts.push(JSON.parse(String(data)) as ServerMessage);
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return client;
}

/** Waits until `check` holds, polling every 10 ms; throws after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 120_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
