import { describe, expect, it } from 'vitest';
import { ENGINE_ERRORS, EngineError, isEngineError } from './errors.ts';

describe('engine error catalogue', () => {
  it('describes every ENGINE_ code and retries only a render thread that died', () => {
    for (const [code, entry] of Object.entries(ENGINE_ERRORS)) {
      expect(code).toMatch(/^ENGINE_[A-Z_]+$/);
      expect(entry.description).toMatch(/\.$/);
    }
    expect(Object.entries(ENGINE_ERRORS).filter(([, entry]) => entry.retryable).map(([code]) => code)).toEqual(['ENGINE_RENDER_THREAD_DIED']);
    const error = new EngineError('ENGINE_CANCELED', 'The render was canceled.');
    expect(error).toMatchObject({ name: 'EngineError', code: 'ENGINE_CANCELED', retryable: false });
    expect(isEngineError(error, 'ENGINE_CANCELED')).toBe(true);
  });
});
