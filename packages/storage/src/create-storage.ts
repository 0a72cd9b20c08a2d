import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StorageError } from './errors.ts';
import { FilesystemStorage } from './filesystem-storage.ts';
import type { ObjectStorage } from './object-storage.ts';
import { S3Storage } from './s3-storage.ts';
import type { ConditionalWriteMode, S3Credentials } from './s3-options.ts';

export interface CreateStorageOptions {
  /** Filesystem driver: secret for presigned URLs (see FilesystemStorageOptions.presignSecret). */
  presignSecret?: string;
  /** Filesystem driver: origin put in front of presigned URLs. */
  presignBaseUrl?: string;
  /**
   * Filesystem driver: fsync writes.
   * @defaultValue true
   */
  fsync?: boolean;
  /**
   * Where S3 credentials are read from when the URL carries none (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
   * AWS_SESSION_TOKEN); without them the SDK's default chain applies.
   * @defaultValue process.env
   */
  env?: Readonly<Record<string, string | undefined>>;
  /** S3 driver: a PEM file of the CA that signed an https endpoint's certificate (see S3StorageOptions.tlsCaFile). */
  s3TlsCaFile?: string;
}

type DriverFactory = (url: URL, options: CreateStorageOptions) => ObjectStorage;

const S3_QUERY_PARAMS = ['endpoint', 'region', 'forcePathStyle', 'checksums', 'conditionalWrites'] as const;

function badUrl(url: string, problem: string): StorageError {
  return new StorageError('STORAGE_BAD_URL', `Storage URL ${JSON.stringify(redact(url))} ${problem}.`);
}

/** The URL with any password replaced, for error messages and logs. */
export function redact(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^@/]*)@/i, (_match, scheme: string, userinfo: string) => {
    const user = userinfo.split(':')[0] ?? '';
    return `${scheme}${user}:***@`;
  });
}

function parseBoolean(url: URL, name: string, value: string): boolean {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw badUrl(url.href, `has ${name}=${value}; expected true or false`);
}

function s3Credentials(url: URL, env: Readonly<Record<string, string | undefined>>): S3Credentials | undefined {
  if (url.username !== '' || url.password !== '') {
    if (url.username === '' || url.password === '') throw badUrl(url.href, 'carries only half of the credentials (user:secret@)');
    return { accessKeyId: decodeURIComponent(url.username), secretAccessKey: decodeURIComponent(url.password) };
  }
  const accessKeyId = env['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'];
  if (accessKeyId === undefined || secretAccessKey === undefined) return undefined;
  const sessionToken = env['AWS_SESSION_TOKEN'];
  return { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) };
}

function createS3(url: URL, options: CreateStorageOptions): ObjectStorage {
  for (const name of url.searchParams.keys()) {
    if (!(S3_QUERY_PARAMS as readonly string[]).includes(name)) {
      throw badUrl(url.href, `has the unknown parameter "${name}"; known: ${S3_QUERY_PARAMS.join(', ')}`);
    }
  }
  const query = (name: (typeof S3_QUERY_PARAMS)[number]) => url.searchParams.get(name) ?? undefined;
  const forcePathStyle = query('forcePathStyle');
  const checksums = query('checksums');
  if (checksums !== undefined && checksums !== 'WHEN_REQUIRED' && checksums !== 'WHEN_SUPPORTED') {
    throw badUrl(url.href, `has checksums=${checksums}; expected WHEN_REQUIRED or WHEN_SUPPORTED`);
  }
  const credentials = s3Credentials(url, options.env ?? process.env);
  const endpoint = query('endpoint');
  const region = query('region');
  const conditionalWrites = query('conditionalWrites');
  return new S3Storage({
    bucket: url.hostname,
    prefix: decodeURIComponent(url.pathname.replace(/^\/+/, '')),
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(region === undefined ? {} : { region }),
    ...(forcePathStyle === undefined ? {} : { forcePathStyle: parseBoolean(url, 'forcePathStyle', forcePathStyle) }),
    ...(checksums === undefined ? {} : { checksums }),
    ...(conditionalWrites === undefined ? {} : { conditionalWrites: conditionalWrites as ConditionalWriteMode }),
    ...(credentials === undefined ? {} : { credentials }),
    ...(options.s3TlsCaFile === undefined ? {} : { tlsCaFile: options.s3TlsCaFile }),
  });
}

function createFilesystem(root: string, options: CreateStorageOptions): ObjectStorage {
  return new FilesystemStorage({
    root,
    ...(options.presignSecret === undefined ? {} : { presignSecret: options.presignSecret }),
    ...(options.presignBaseUrl === undefined ? {} : { presignBaseUrl: options.presignBaseUrl }),
    ...(options.fsync === undefined ? {} : { fsync: options.fsync }),
  });
}

/** Storage drivers by URL scheme. A new driver is one entry here plus its class. */
export const STORAGE_DRIVERS: Readonly<Record<string, DriverFactory>> = Object.freeze({
  'file:': (url: URL, options: CreateStorageOptions) => {
    if (url.search !== '' || url.hash !== '') throw badUrl(url.href, 'must not carry a query or fragment');
    return createFilesystem(fileURLToPath(url), options);
  },
  's3:': createS3,
});

/**
 * Opens the store a URL names:
 * - `file:///abs/dir`, `/abs/dir` or a relative path (resolved against the working directory): filesystem;
 * - `s3://bucket/prefix?endpoint=http://127.0.0.1:9000&region=us-east-1&forcePathStyle=true`: S3, with
 *   credentials from the URL's `user:secret@` or else AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
 */
export function createStorage(location: string, options: CreateStorageOptions = {}): ObjectStorage {
  if (typeof location !== 'string' || location.trim() === '') {
    throw new StorageError('STORAGE_BAD_URL', `Storage URL must be a non-empty string. Received: ${String(location)}`);
  }
  if (!/^[a-z][a-z0-9+.-]+:/i.test(location)) return createFilesystem(resolve(location), options);
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw badUrl(location, 'cannot be parsed');
  }
  const factory = STORAGE_DRIVERS[url.protocol];
  if (factory === undefined) {
    throw badUrl(location, `names the unknown scheme "${url.protocol}"; known: ${Object.keys(STORAGE_DRIVERS).join(', ')}`);
  }
  return factory(url, options);
}
