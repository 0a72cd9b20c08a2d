import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the gate saw: method and path (with query), e.g. `PUT /farm/chaos/jobs/job_x/chunks/00001.ts`. */
export interface SeenRequest {
  method: string;
  path: string;
}

/** What a watcher wants done with a request: forwarded, or held (never forwarded, until the gate drops it). */
export type GateDecision = 'pass' | 'hold';

type Watcher = (request: SeenRequest) => GateDecision | undefined;

/**
 * An HTTP pass-through in front of the S3 server, so that a test can see which object a farm process is reading
 * or writing and act at that moment (kill the process in the middle of an upload). Requests and answers are
 * forwarded byte for byte, the Host header included (presigned URLs name the gate's address and stay valid).
 * A held request is never forwarded: the client waits until it dies or the gate drops the request.
 */
export class S3Gate {
  private readonly watchers = new Set<Watcher>();
  private readonly held: ServerResponse[] = [];

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
  ) {}

  static async start(targetPort: number): Promise<S3Gate> {
    let gate: S3Gate | null = null;
    const server = createServer((req, res) => gate!.handle(req, res, targetPort));
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    gate = new S3Gate(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return gate;
  }

  /** Calls `watcher` for each request until it is removed (the returned function); its answer decides pass or hold. */
  watch(watcher: Watcher): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  /** Resolves with the first request that `match` accepts, holding it when `hold` is set. */
  next(match: (request: SeenRequest) => boolean, options: { hold?: boolean; timeoutMs?: number } = {}): Promise<SeenRequest> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`No matching S3 request within ${options.timeoutMs ?? 120_000} ms`));
      }, options.timeoutMs ?? 120_000);
      const stop = this.watch((request) => {
        if (!match(request)) return undefined;
        stop();
        clearTimeout(timer);
        resolve(request);
        return options.hold === true ? 'hold' : 'pass';
      });
    });
  }

  /** Drops every held request (its connection is reset). */
  dropHeld(): void {
    for (const res of this.held.splice(0)) res.destroy();
  }

  close(): Promise<void> {
    this.dropHeld();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse, targetPort: number): void {
    const seen = { method: req.method ?? 'GET', path: req.url ?? '/' };
    let decision: GateDecision = 'pass';
    for (const watcher of [...this.watchers]) if (watcher(seen) === 'hold') decision = 'hold';
    if (decision === 'hold') {
      this.held.push(res);
      req.resume();
      return;
    }
    const upstream = httpRequest({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
      answer.pipe(res);
      answer.on('error', () => res.destroy());
    });
    // The S3 server down: the client's connection is reset, as it would be by the server itself.
    upstream.on('error', () => res.destroy());
    req.on('error', () => upstream.destroy());
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }
}
