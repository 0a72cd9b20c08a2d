import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verify } from '@portrait-farm/webhooks';

/** One verified delivery: the event type, the job and when it arrived. */
export interface Delivery {
  type: string;
  jobId: string;
  at: number;
}

/**
 * A webhook receiver on a fixed port of 127.0.0.1 that can go down (the port closed: connections refused) and come
 * back on the same port. Every delivery's signature is checked; the verified ones are recorded.
 */
export class WebhookEndpoint {
  readonly deliveries: Delivery[] = [];
  readonly rejected: string[] = [];
  private server: Server | null = null;

  private constructor(
    private readonly secret: () => string,
    private port: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  static async start(secret: () => string): Promise<WebhookEndpoint> {
    const endpoint = new WebhookEndpoint(secret, 0);
    await endpoint.up();
    return endpoint;
  }

  async up(): Promise<void> {
    if (this.server !== null) return;
    const server = createServer((request, response) => {
      const parts: Buffer[] = [];
      request.on('data', (part: Buffer) => parts.push(part));
      request.on('end', () => {
        const body = Buffer.concat(parts);
        try {
          verify(this.secret(), request.headers, body);
          const event = JSON.parse(body.toString('utf8')) as { type: string; data: { id: string } };
          this.deliveries.push({ type: event.type, jobId: event.data.id, at: Date.now() });
          response.writeHead(204).end();
        } catch (error) {
          this.rejected.push((error as Error).message);
          response.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Closes the port and every open connection. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server === null) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  of(jobId: string, type: string): Delivery[] {
    return this.deliveries.filter((d) => d.jobId === jobId && d.type === type);
  }
}
