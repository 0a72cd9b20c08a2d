import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { ExecutionProvider } from './execution-providers.ts';
import { providerUnavailableReason } from './provider-probe.ts';
import type {
  LoadRequest,
  RunRequest,
  TensorData,
  TensorMap,
  TensorSignature,
  WorkerReply,
  WorkerRequest,
} from './worker-protocol.ts';

const port = parentPort;
if (port === null) throw new Error('inference-worker must run in a worker thread');

// onnxruntime's own logger writes provider probes that fail ("Failed to load library ...") to stderr; a failure that
// matters reaches the caller as an exception, so only fatal messages are let through.
ort.env.logLevel = 'fatal';

let session: ort.InferenceSession | null = null;
/** Runs in flight: a session released while onnxruntime runs it aborts the process (Napi::Error in a native thread). */
const running = new Set<Promise<void>>();
let closing = false;

function reply(message: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

function describe(metadata: readonly ort.InferenceSession.ValueMetadata[]): TensorSignature[] {
  return metadata.map((value) =>
    value.isTensor
      ? { name: value.name, type: value.type, shape: value.shape.map((d) => (typeof d === 'number' ? d : String(d))) }
      : { name: value.name, type: 'non-tensor', shape: [] },
  );
}

async function load(request: LoadRequest): Promise<void> {
  const failures: Array<{ provider: ExecutionProvider; message: string }> = [];
  for (const provider of request.providers) {
    const unavailable = providerUnavailableReason(provider);
    if (unavailable !== null) {
      failures.push({ provider, message: unavailable });
      continue;
    }
    try {
      const sessionOptions: ort.InferenceSession.SessionOptions = {
        executionProviders: [provider],
        intraOpNumThreads: request.intraOpThreads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        logSeverityLevel: 4,
      };
      session = typeof request.model === 'string'
        ? await ort.InferenceSession.create(request.model, sessionOptions)
        : await ort.InferenceSession.create(request.model, sessionOptions);
      reply({
        kind: 'loaded',
        provider,
        failures,
        inputs: describe(session.inputMetadata),
        outputs: describe(session.outputMetadata),
      });
      return;
    } catch (error) {
      failures.push({ provider, message: error instanceof Error ? error.message.split('\n')[0]! : String(error) });
    }
  }
  reply({ kind: 'load-failed', failures });
}

function toOrtTensor(tensor: TensorData): ort.Tensor {
  if (tensor.data instanceof Float32Array) return new ort.Tensor('float32', tensor.data, tensor.dims);
  if (tensor.data instanceof Int32Array) return new ort.Tensor('int32', tensor.data, tensor.dims);
  if (tensor.data instanceof Uint8Array) return new ort.Tensor('uint8', tensor.data, tensor.dims);
  return new ort.Tensor('int64', tensor.data, tensor.dims);
}

function fromOrtTensor(value: ort.Tensor): TensorData {
  const data = value.data;
  if (data instanceof Float32Array || data instanceof Int32Array || data instanceof BigInt64Array || data instanceof Uint8Array) {
    const ownsBuffer = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
    return { data: ownsBuffer ? data : data.slice(), dims: [...value.dims] };
  }
  throw new Error(`output of type ${value.type} is not supported (float32, int32, int64, uint8 are)`);
}

async function run(request: RunRequest): Promise<void> {
  try {
    if (closing) throw new Error('session is closed');
    if (session === null) throw new Error('no model loaded');
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, tensor] of Object.entries(request.feeds)) feeds[name] = toOrtTensor(tensor);
    const started = performance.now();
    const results = await session.run(feeds);
    const seconds = (performance.now() - started) / 1000;
    const outputs: TensorMap = {};
    const transfer: ArrayBuffer[] = [];
    for (const [name, value] of Object.entries(results)) {
      const tensor = fromOrtTensor(value);
      outputs[name] = tensor;
      transfer.push(tensor.data.buffer as ArrayBuffer);
    }
    reply({ kind: 'ran', id: request.id, outputs, seconds }, transfer);
  } catch (error) {
    reply({ kind: 'run-failed', id: request.id, message: error instanceof Error ? error.message : String(error) });
  }
}

/** Lets the runs in flight finish, then releases the session: only then may the thread be terminated. */
async function close(): Promise<void> {
  closing = true;
  while (running.size > 0) await Promise.allSettled([...running]);
  const current = session;
  session = null;
  await current?.release().catch(() => {});
  reply({ kind: 'closed' });
}

port.on('message', (request: WorkerRequest) => {
  if (request.kind === 'load') void load(request);
  else if (request.kind === 'close') void close();
  else {
    const task = run(request).finally(() => running.delete(task));
    running.add(task);
  }
});
