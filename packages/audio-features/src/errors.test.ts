import { describe, expect, it } from 'vitest';
import { AUDIO_FEATURES_ERROR_CODES, AudioFeaturesError } from './errors.ts';

describe('AUDIO_FEATURES_ERROR_CODES', () => {
  it('describes every code and errors carry their code', () => {
    for (const [code, description] of Object.entries(AUDIO_FEATURES_ERROR_CODES)) {
      expect(code).toMatch(/^AUDIO_FEATURES_[A-Z_]+$/);
      expect(description.length).toBeGreaterThan(10);
    }
    const error = new AudioFeaturesError('AUDIO_FEATURES_CLOSED', 'audio front-end is closed');
    expect(error).toMatchObject({ name: 'AudioFeaturesError', code: 'AUDIO_FEATURES_CLOSED' });
  });
});
