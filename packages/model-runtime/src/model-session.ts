import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { ModelRuntimeError } from './errors.ts';
import { reportInference } from './inference-observer.ts';
import { siblingScript, startModuleWorker } from './module-worker.ts';
import { defaultProviders, type ExecutionProvider } from './execution-providers.ts';
import type { TensorMap, TensorSignature, WorkerReply, WorkerRequest } from './worker-protocol.ts';

/** Options of {@link createModelSession}. */
export interface ModelSessionOptions {
  /**
   * Execution providers to try, in order; the first that creates a session runs the model.
   * @defaultValue PORTRAIT_FARM_PROVIDERS, else cuda, webgpu, cpu
   */
  providers?: ExecutionProvider[];
  /**
   * Threads onnxruntime may use inside one run.
   * @defaultValue 1
   */
  intraOpThreads?: number;
  /**
   * Receives one line naming the provider that runs the model and why each earlier one was skipped or failed
   * (providers whose library or driver is absent are skipped without asking onnxruntime, which would print errors).
   * @defaultValue none
   */
  log?: (line: string) => void;
}

/** A model loaded in its own worker thread: `run` never blocks the caller's event loop. */
export interface ModelSession {
  readonly path: string;
  readonly provider: ExecutionProvider;
  readonly inputs: readonly TensorSignature[];
  readonly outputs: readonly TensorSignature[];
  run(feeds: TensorMap): Promise<TensorMap>;
  close(): Promise<void>;
}

interface Pending {
  resolve: (outputs: TensorMap) => void;
  reject: (error: Error) => void;
}

/** How long `close` waits for the runs in flight before it terminates the thread anyway. */
const CLOSE_TIMEOUT_MS = 60_000;

/** Asks the inference thread to finish its runs and release its session; resolves when it has (or has exited). */
function releaseInThread(worker: Worker, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('exit', done);
      resolve();
    };
    const onMessage = (message: WorkerReply): void => {
      if (message.kind === 'closed') done();
    };
    const timer = setTimeout(done, timeoutMs);
    worker.on('message', onMessage);
    worker.once('exit', done);
    worker.ref();
    worker.postMessage({ kind: 'close' } satisfies WorkerRequest);
  });
}

function startInferenceThread(): Worker {
  return startModuleWorker(siblingScript(import.meta.url, 'inference-worker'));
}


/** Loads an ONNX model in a worker thread, trying each execution provider in turn. */
export async function createModelSession(path: string, options: ModelSessionOptions = {}): Promise<ModelSession> {
  if (!existsSync(path)) {
    throw new ModelRuntimeError('MODEL_RUNTIME_FILE_MISSING', `Model file not found: ${path}`);
  }
  return startSession(path, path, options);
}

/**
 * Loads an ONNX model given as bytes (a graph the caller made, for example at start-up) in a worker thread, as
 * {@link createModelSession} does; `name` (such as "mesh-warp.onnx") names it in logs, errors and `path`.
 */
export async function createModelSessionFromBytes(name: string, bytes: Uint8Array, options: ModelSessionOptions = {}): Promise<ModelSession> {
  return startSession(bytes, name, options);
}

async function startSession(model: string | Uint8Array, path: string, options: ModelSessionOptions): Promise<ModelSession> {
  const providers = options.providers ?? defaultProviders();
  const worker = startInferenceThread();
  worker.unref();
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let closed = false;
  let deathError: ModelRuntimeError | null = null;

  const loaded = await new Promise<Extract<WorkerReply, { kind: 'loaded' }>>((resolve, reject) => {
    const onMessage = (message: WorkerReply): void => {
      if (message.kind === 'loaded') resolve(message);
      else if (message.kind === 'load-failed') {
        const tried = message.failures.map((f) => `${f.provider}: ${f.message}`).join('; ');
        reject(new ModelRuntimeError('MODEL_RUNTIME_NO_PROVIDER', `No execution provider could load ${path} (${tried})`));
      }
    };
    worker.once('message', onMessage);
    worker.once('error', reject);
    worker.postMessage({ kind: 'load', model, providers, intraOpThreads: options.intraOpThreads ?? 1 } satisfies WorkerRequest);
  }).catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });

  const modelName = basename(path).replace(/\.onnx$/i, '');
  const failed = loaded.failures.map((f) => `${f.provider} unavailable: ${f.message}`).join('; ');
  options.log?.(`${basename(path)}: running on ${loaded.provider}${failed ? ` (${failed})` : ''}`);

  worker.on('message', (message: WorkerReply) => {
    if (message.kind !== 'ran' && message.kind !== 'run-failed') return;
    const request = pending.get(message.id);
    if (request === undefined) return;
    pending.delete(message.id);
    if (message.kind === 'ran') {
      reportInference({ model: modelName, provider: loaded.provider, seconds: message.seconds });
      request.resolve(message.outputs);
    }
    else request.reject(new ModelRuntimeError('MODEL_RUNTIME_RUN_FAILED', `${basename(path)}: ${message.message}`));
  });
  const failAll = (error: ModelRuntimeError): void => {
    deathError = error;
    for (const request of pending.values()) request.reject(error);
    pending.clear();
  };
  worker.on('error', (error) => failAll(new ModelRuntimeError('MODEL_RUNTIME_WORKER_DIED', `${basename(path)}: ${error.message}`)));
  worker.on('exit', (code) => {
    if (!closed) failAll(new ModelRuntimeError('MODEL_RUNTIME_WORKER_DIED', `${basename(path)}: inference thread exited with code ${code}`));
  });

  return {
    path,
    provider: loaded.provider,
    inputs: loaded.inputs,
    outputs: loaded.outputs,
    run(feeds: TensorMap): Promise<TensorMap> {
      if (closed) return Promise.reject(new ModelRuntimeError('MODEL_RUNTIME_CLOSED', `${basename(path)}: session is closed`));
      if (deathError !== null) return Promise.reject(deathError);
      const id = nextId++;
      return new Promise<TensorMap>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        if (pending.size === 1) worker.ref();
        worker.postMessage({ kind: 'run', id, feeds } satisfies WorkerRequest);
      }).finally(() => {
        if (pending.size === 0) worker.unref();
      });
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      const alive = deathError === null;
      failAll(new ModelRuntimeError('MODEL_RUNTIME_CLOSED', `${basename(path)}: session closed while running`));
      // Terminating the thread while onnxruntime runs or holds the session aborts the whole process ("terminate
      // called after throwing an instance of 'Napi::Error'"): the thread first lets its runs finish and releases it.
      if (alive) await releaseInThread(worker, CLOSE_TIMEOUT_MS);
      await worker.terminate();
    },
  };
}
