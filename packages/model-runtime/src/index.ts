export { createModelSession } from './model-session.ts';
export type { ModelSession, ModelSessionOptions } from './model-session.ts';
export { EXECUTION_PROVIDERS, defaultProviders, isExecutionProvider, parseProviderList } from './execution-providers.ts';
export type { ExecutionProvider } from './execution-providers.ts';
export { MODEL_RUNTIME_ERRORS, ModelRuntimeError, isModelRuntimeError } from './errors.ts';
export type { ModelRuntimeErrorCode } from './errors.ts';
export type { TensorData, TensorMap, TensorSignature } from './worker-protocol.ts';
export { siblingScript, startModuleWorker } from './module-worker.ts';
