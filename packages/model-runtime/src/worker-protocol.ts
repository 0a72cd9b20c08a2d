import type { ExecutionProvider } from './execution-providers.ts';

/** A tensor crossing the thread boundary: float32, int64, int32 or uint8 data with its shape. */
export interface TensorData {
  data: Float32Array | Int32Array | BigInt64Array | Uint8Array;
  dims: readonly number[];
}

export type TensorMap = Record<string, TensorData>;

/** Name, element type and shape (symbolic dimensions as strings) of one model input or output. */
export interface TensorSignature {
  name: string;
  type: string;
  shape: ReadonlyArray<number | string>;
}

export interface LoadRequest {
  kind: 'load';
  /** A model file, or the model's bytes (a graph made at start-up). */
  model: string | Uint8Array;
  providers: ExecutionProvider[];
  intraOpThreads: number;
}

export interface RunRequest {
  kind: 'run';
  id: number;
  feeds: TensorMap;
}

/** Waits for the runs in flight, then releases the session; answered by `closed`. */
export interface CloseRequest {
  kind: 'close';
}

export type WorkerRequest = LoadRequest | RunRequest | CloseRequest;

export interface LoadedReply {
  kind: 'loaded';
  provider: ExecutionProvider;
  failures: Array<{ provider: ExecutionProvider; message: string }>;
  inputs: TensorSignature[];
  outputs: TensorSignature[];
}

export interface LoadFailedReply {
  kind: 'load-failed';
  failures: Array<{ provider: ExecutionProvider; message: string }>;
}

export interface RunReply {
  kind: 'ran';
  id: number;
  outputs: TensorMap;
  /** onnxruntime's run alone, timed in the inference thread (no queueing or copying across threads). */
  seconds: number;
}

export interface RunFailedReply {
  kind: 'run-failed';
  id: number;
  message: string;
}

export interface ClosedReply {
  kind: 'closed';
}

export type WorkerReply = LoadedReply | LoadFailedReply | RunReply | RunFailedReply | ClosedReply;
