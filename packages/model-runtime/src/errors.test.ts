import { describe, expect, it } from 'vitest';
import { MODEL_RUNTIME_ERRORS, ModelRuntimeError, isModelRuntimeError } from './errors.ts';

describe('model-runtime error catalogue', () => {
  it('describes every MODEL_RUNTIME_ code and retries only failures of a run or its thread', () => {
    for (const [code, entry] of Object.entries(MODEL_RUNTIME_ERRORS)) {
      expect(code).toMatch(/^MODEL_RUNTIME_[A-Z_]+$/);
      expect(entry.description).toMatch(/\.$/);
    }
    const retried = Object.entries(MODEL_RUNTIME_ERRORS).filter(([, entry]) => entry.retryable).map(([code]) => code);
    expect(retried).toEqual(['MODEL_RUNTIME_RUN_FAILED', 'MODEL_RUNTIME_CLOSED', 'MODEL_RUNTIME_WORKER_DIED']);
    const error = new ModelRuntimeError('MODEL_RUNTIME_FILE_MISSING', 'Model file not found: x.onnx');
    expect(error).toMatchObject({ name: 'ModelRuntimeError', retryable: false });
    expect(isModelRuntimeError(error, 'MODEL_RUNTIME_FILE_MISSING')).toBe(true);
  });
});
