import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { once } from 'node:events';

/** What a raw HTTP exchange gave: the bytes answered, and when the server closed the socket (ms after connecting). */
export interface RawExchange {
  /** Everything the server wrote, as latin1 text. */
  text: string;
  /** The status of the first response, or null when none came. */
  status: number | null;
  /** The `error.code` of the first response's JSON body, or null. */
  code: string | null;
  /** The `error.message` of the first response's JSON body, or null. */
  message: string | null;
  /** Milliseconds from connecting until the server ended the socket, or null when it stayed open until `waitMs`. */
  closedAfterMs: number | null;
}

/** A socket to the gateway that records what it receives. */
export class RawClient {
  private readonly chunks: Buffer[] = [];
  private readonly started = Date.now();
  closedAt: number | null = null;
  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closedAt ??= Date.now();
    });
  }

  static async open(port: number, host = '127.0.0.1'): Promise<RawClient> {
    const socket = connect({ port, host });
    await once(socket, 'connect');
    return new RawClient(socket);
  }

  /** Writes bytes unless the socket is already gone; false when it could not. */
  write(data: string | Buffer): boolean {
    if (this.socket.destroyed || this.socket.writableEnded) return false;
    this.socket.write(Buffer.isBuffer(data) ? data : Buffer.from(data, 'latin1'));
    return true;
  }

  /** Writes `data` one byte every `intervalMs` until it is all sent or the server closes. */
  async trickle(data: string | Buffer, intervalMs: number): Promise<void> {
    const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data, 'latin1');
    for (let i = 0; i < bytes.length; i += 1) {
      if (this.closedAt !== null || !this.write(bytes.subarray(i, i + 1))) return;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  /** Waits until the server closes the socket or `waitMs` passes, then reports. */
  async settle(waitMs: number): Promise<RawExchange> {
    const deadline = Date.now() + waitMs;
    while (this.closedAt === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    return this.report();
  }

  /** Waits until a whole first response arrived (headers and a content-length body) or `waitMs` passes. */
  async response(waitMs: number): Promise<RawExchange> {
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline && this.closedAt === null && !complete(this.text())) await new Promise((resolve) => setTimeout(resolve, 20));
    return this.report();
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('latin1');
  }

  report(): RawExchange {
    const text = this.text();
    const status = /^HTTP\/1\.1 (\d{3})/.exec(text);
    const body = text.split('\r\n\r\n')[1] ?? '';
    let error: { code?: string; message?: string } = {};
    try {
      error = (JSON.parse(body) as { error?: typeof error }).error ?? {};
    } catch {
      error = {};
    }
    return {
      text,
      status: status === null ? null : Number(status[1]),
      code: error.code ?? null,
      message: error.message ?? null,
      closedAfterMs: this.closedAt === null ? null : this.closedAt - this.started,
    };
  }

  destroy(): void {
    this.socket.destroy();
  }
}

function complete(text: string): boolean {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const length = /\r\ncontent-length: (\d+)/i.exec(text.slice(0, end));
  return length !== null && text.length - end - 4 >= Number(length[1]);
}

/** An HTTP/1.1 request line and headers (with content-length when `length` is given). */
export function requestHead(method: string, path: string, headers: Record<string, string>, length?: number): string {
  const lines = [`${method} ${path} HTTP/1.1`, 'host: gateway.test', ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
  if (length !== undefined) lines.push(`content-length: ${length}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** The gateway's port once it listens on 127.0.0.1 (an ephemeral port). */
export async function listen(app: { listen(options: { port: number; host: string }): Promise<string>; server: { address(): unknown } }): Promise<number> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (app.server.address() as { port: number }).port;
}
