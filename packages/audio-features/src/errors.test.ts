import { describe, expect, it } from 'vitest';
import { AUDIO_FEATURES_ERRORS, AudioFeaturesError } from './errors.ts';

describe('AUDIO_FEATURES_ERRORS', () => {
  it('describes every code and errors carry their code', () => {
    for (const [code, entry] of Object.entries(AUDIO_FEATURES_ERRORS)) {
      expect(code).toMatch(/^AUDIO_FEATURES_[A-Z_]+$/);
      expect(entry.description.length).toBeGreaterThan(10);
    }
    const error = new AudioFeaturesError('AUDIO_FEATURES_CLOSED', 'audio front-end is closed');
    expect(error).toMatchObject({ name: 'AudioFeaturesError', code: 'AUDIO_FEATURES_CLOSED' });
  });

  it('retries only work that met a front-end closed by its stopping process', () => {
    expect(Object.entries(AUDIO_FEATURES_ERRORS).filter(([, entry]) => entry.retryable).map(([code]) => code)).toEqual(['AUDIO_FEATURES_CLOSED']);
  });
});
