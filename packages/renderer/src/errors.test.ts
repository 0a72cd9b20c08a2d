import { describe, expect, it } from 'vitest';
import { RENDERER_ERROR_CODES, RendererError } from './errors.ts';
import { resolveOptions } from './options.ts';

describe('renderer errors', () => {
  it('have unique, upper-case codes', () => {
    expect(new Set(RENDERER_ERROR_CODES).size).toBe(RENDERER_ERROR_CODES.length);
    for (const code of RENDERER_ERROR_CODES) expect(code).toMatch(/^[A-Z_]+$/);
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
