import { describe, expect, it } from 'vitest';
import { RENDERER_ERRORS, RendererError } from './errors.ts';
import { resolveOptions } from './options.ts';

describe('renderer errors', () => {
  it('have upper-case codes with a description each, none retried (the inputs decide)', () => {
    for (const [code, entry] of Object.entries(RENDERER_ERRORS)) {
      expect(code).toMatch(/^[A-Z_]+$/);
      expect(entry.description).toMatch(/\.$/);
      expect(entry.retryable).toBe(false);
    }
  });

  it('carry their code and a message that names the value received', () => {
    try {
      resolveOptions({ neutral: [1, 2, 3] });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(RendererError);
      expect((error as RendererError).code).toBe('INVALID_OPTION');
      expect((error as RendererError).message).toMatch(/20 channel values, got 3/);
    }
  });
});
