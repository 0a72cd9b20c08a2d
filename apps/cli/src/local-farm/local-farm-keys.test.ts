// Issue 13, found 8: `up` served only the first PORTRAIT_FARM_API_KEYS entry, and setting it retired the data folder's key.
import { describe, expect, it } from 'vitest';
import { localFarmApiKeys } from './local-farm.ts';

describe('localFarmApiKeys', () => {
  it("serves every key of PORTRAIT_FARM_API_KEYS beside the data folder's own key", () => {
    const keys = localFarmApiKeys('data-folder-key-0001', [['key-of-alice-0001', 'alice'], ['key-of-bob-00002', 'bob'], ['second-key-alice', 'alice']], null);
    expect(keys).toEqual({
      'data-folder-key-0001': 'local',
      'key-of-alice-0001': 'alice',
      'key-of-bob-00002': 'bob',
      'second-key-alice': 'alice',
    });
  });

  it('keeps the data folder key without PORTRAIT_FARM_API_KEYS, and adds a key given in code for tenant "local"', () => {
    expect(localFarmApiKeys('data-folder-key-0001', [], null)).toEqual({ 'data-folder-key-0001': 'local' });
    expect(localFarmApiKeys('data-folder-key-0001', [], 'given-key-000001')).toEqual({ 'data-folder-key-0001': 'local', 'given-key-000001': 'local' });
  });
});
