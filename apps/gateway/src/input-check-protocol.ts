import type { InputCheckRequest, InputFacts } from './input-checks.ts';

// Messages between the gateway's event loop and its input-check thread (input-check-thread.ts, input-check-worker.ts).

/** The thread's start: the model pack whose face models it opens, or null for no face check. */
export interface InputCheckWorkerData {
  packDir: string | null;
}

export interface CheckMessage {
  id: number;
  request: InputCheckRequest;
}

/** An error crossing the thread: a GatewayError keeps its code and message; any other error its name, code and message. */
export interface SentError {
  gateway: boolean;
  name: string;
  code: string | null;
  message: string;
}

export type WorkerReply =
  | { kind: 'ready' }
  | { kind: 'failed'; error: SentError }
  | { kind: 'result'; id: number; facts: InputFacts }
  | { kind: 'error'; id: number; error: SentError };
