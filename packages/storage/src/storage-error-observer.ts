import type { Readable } from 'node:stream';
import { isStorageError } from './errors.ts';
import type { ByteRange, ListOptions, ObjectBody, ObjectInfo, ObjectStorage, PresignOptions, PutOptions } from './object-storage.ts';

/** The calls of an {@link ObjectStorage} whose failures {@link observeStorageErrors} reports. */
export type StorageOperation = Exclude<keyof ObjectStorage, 'driver' | 'location' | 'close'>;

/** Receives each failed call: its operation and the error's code (STORAGE_* or, for anything else, STORAGE_UNKNOWN). */
export type StorageErrorListener = (operation: StorageOperation, code: string) => void;

/**
 * The same storage, with every failed call reported to `onError` before its error is rethrown unchanged (the
 * processes count them per operation and code). What the calls return is untouched.
 */
export function observeStorageErrors(storage: ObjectStorage, onError: StorageErrorListener): ObjectStorage {
  const watch = <T>(operation: StorageOperation, call: () => Promise<T>): Promise<T> =>
    call().catch((error: unknown) => {
      onError(operation, isStorageError(error) ? error.code : 'STORAGE_UNKNOWN');
      throw error;
    });
  return {
    driver: storage.driver,
    location: storage.location,
    put: (key: string, body: ObjectBody, options?: PutOptions) => watch('put', () => storage.put(key, body, options)),
    putIfAbsent: (key: string, body: ObjectBody, options?: PutOptions) => watch('putIfAbsent', () => storage.putIfAbsent(key, body, options)),
    get: (key: string) => watch('get', () => storage.get(key)),
    getStream: (key: string, range?: ByteRange): Promise<Readable> => watch('getStream', () => storage.getStream(key, range)),
    getToFile: (key: string, path: string) => watch('getToFile', () => storage.getToFile(key, path)),
    head: (key: string): Promise<ObjectInfo | null> => watch('head', () => storage.head(key)),
    exists: (key: string) => watch('exists', () => storage.exists(key)),
    delete: (key: string) => watch('delete', () => storage.delete(key)),
    deletePrefix: (prefix: string) => watch('deletePrefix', () => storage.deletePrefix(prefix)),
    list: (prefix: string, options?: ListOptions) => watch('list', () => storage.list(prefix, options)),
    presignGet: (key: string, options?: PresignOptions) => watch('presignGet', () => storage.presignGet(key, options)),
    check: () => watch('check', () => storage.check()),
    close: () => storage.close(),
  };
}
