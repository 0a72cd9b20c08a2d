import { StorageError } from './errors.ts';
import { assertValidKey } from './keys.ts';
import type { ListOptions } from './object-storage.ts';

export interface ResolvedListOptions {
  limit: number | null;
  after: string | null;
}

export function resolveListOptions(options: ListOptions): ResolvedListOptions {
  const limit = options.limit ?? null;
  if (limit !== null && (!Number.isInteger(limit) || limit < 1)) {
    throw new StorageError('STORAGE_BAD_OPTION', `list limit must be a positive integer. Received: ${String(limit)}`);
  }
  const after = options.after ?? null;
  if (after !== null) assertValidKey(after);
  return { limit, after };
}
