import { connect, createServer } from 'node:net';
import { ProcessError } from './errors.ts';

/** A TCP port that is free on `host` right now (the OS picks it; another process may still take it first). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Throws PROCESS_PORT_IN_USE when another process listens on `host:port` (so a process started on it would fail to
 * listen, and whatever answers there is not ours). `holder` describes who holds it, when the caller can tell.
 */
export async function assertPortFree(port: number, host = '127.0.0.1', holder?: () => Promise<string | null>): Promise<void> {
  const free = await new Promise<boolean>((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(false) : reject(error)));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
  if (free) return;
  const who = (await holder?.().catch(() => null)) ?? 'another process';
  throw new ProcessError('PROCESS_PORT_IN_USE', `Port ${port} on ${host} is already in use by ${who}. Stop it, or choose another port.`);
}

/** Whether something accepts TCP connections on `host:port`. */
export function portAccepts(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
