import { once } from 'node:events';
import type { Worker } from 'node:worker_threads';
import { siblingScript, startModuleWorker } from '@portrait-farm/model-runtime';
import { GatewayError } from './errors.ts';
import type { GatewayErrorCode } from './errors.ts';
import type { CheckMessage, InputCheckWorkerData, SentError, WorkerReply } from './input-check-protocol.ts';
import type { InputCheckRequest, InputFacts } from './input-checks.ts';

/** The checks at create (input-checks.ts), run in a thread of their own; `close` stops it. */
export interface InputChecker {
  check(request: InputCheckRequest): Promise<InputFacts>;
  close(): Promise<void>;
}

function received(error: SentError): Error {
  if (error.gateway) return new GatewayError(error.code as GatewayErrorCode, error.message);
  return Object.assign(new Error(error.message), { name: error.name, ...(error.code === null ? {} : { code: error.code }) });
}

interface Pending {
  resolve: (facts: InputFacts) => void;
  reject: (error: Error) => void;
}

const CLOSE_WAIT_MS = 5000;

class InputCheckThread implements InputChecker {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private closed = false;
  private thread: Promise<Worker> | null = null;

  private constructor(private readonly packDir: string | null) {}

  static async open(packDir: string | null): Promise<InputCheckThread> {
    const checker = new InputCheckThread(packDir);
    checker.thread = checker.start();
    await checker.thread;
    return checker;
  }

  /** Starts the thread and waits until its face models are open; a thread that stops is started again at the next check. */
  private start(): Promise<Worker> {
    const data: InputCheckWorkerData = { packDir: this.packDir };
    const worker = startModuleWorker(siblingScript(import.meta.url, 'input-check-worker'), data);
    return new Promise<Worker>((resolve, reject) => {
      worker.on('message', (reply: WorkerReply) => {
        if (reply.kind === 'ready') resolve(worker);
        else if (reply.kind === 'failed') {
          reject(received(reply.error));
          void worker.terminate();
        }
        else this.settle(reply.id, reply.kind === 'result' ? { facts: reply.facts } : { error: received(reply.error) });
      });
      worker.on('error', reject);
      worker.on('exit', (code) => {
        const stopped = new Error(`The input-check thread stopped (exit code ${code}).`);
        reject(stopped);
        this.thread = null;
        for (const id of [...this.pending.keys()]) this.settle(id, { error: stopped });
      });
    });
  }

  private settle(id: number, outcome: { facts: InputFacts } | { error: Error }): void {
    const waiting = this.pending.get(id);
    if (waiting === undefined) return;
    this.pending.delete(id);
    if ('facts' in outcome) waiting.resolve(outcome.facts);
    else waiting.reject(outcome.error);
  }

  async check(request: InputCheckRequest): Promise<InputFacts> {
    if (this.closed) throw new Error('The input checks are closed.');
    this.thread ??= this.start();
    const worker = await this.thread;
    const id = this.nextId++;
    return new Promise<InputFacts>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, request } satisfies CheckMessage);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const worker = await this.thread?.catch(() => null);
    if (worker === null || worker === undefined) return;
    const exited = once(worker, 'exit');
    worker.postMessage('close');
    const timer = setTimeout(() => void worker.terminate(), CLOSE_WAIT_MS);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * Starts the input-check thread, with the face models of the pack at `packDir` (null: no face check), and waits
 * until it is ready. The gateway's event loop then only posts each create's paths and receives facts or a GatewayError.
 */
export function openInputChecker(packDir: string | null): Promise<InputChecker> {
  return InputCheckThread.open(packDir);
}
