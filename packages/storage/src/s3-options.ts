import { readFileSync } from 'node:fs';
import { StorageError } from './errors.ts';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** How `putIfAbsent` achieves create-only writes on S3. */
export type ConditionalWriteMode = 'auto' | 'native' | 'emulated';

export interface S3StorageOptions {
  /** Bucket name. */
  bucket: string;
  /**
   * Key prefix inside the bucket, so several farms can share one bucket ("farm-a/" stores "jobs/x" as "farm-a/jobs/x").
   * A missing trailing "/" is added.
   * @defaultValue ""
   */
  prefix?: string;
  /**
   * S3-protocol endpoint, e.g. "http://127.0.0.1:9000" for MinIO.
   * @defaultValue AWS's endpoint for the region
   */
  endpoint?: string;
  /** @defaultValue "us-east-1" */
  region?: string;
  /**
   * A PEM file of the CA that signed an https endpoint's certificate (a private CA), trusted beside Node's root CAs
   * by this client only. @defaultValue Node's root CAs
   */
  tlsCaFile?: string;
  /**
   * Address buckets as a path ("endpoint/bucket/key") instead of a host name; local servers need true.
   * @defaultValue true when `endpoint` is set, else false
   */
  forcePathStyle?: boolean;
  /**
   * Static credentials.
   * @defaultValue the SDK's default chain (environment, profile, instance role)
   */
  credentials?: S3Credentials;
  /**
   * When the SDK adds and checks CRC checksums. Local S3-protocol servers (s3rver) mishandle streamed
   * checksummed uploads and need "WHEN_REQUIRED".
   * @defaultValue "WHEN_REQUIRED" when `endpoint` is set, else "WHEN_SUPPORTED"
   */
  checksums?: 'WHEN_REQUIRED' | 'WHEN_SUPPORTED';
  /**
   * How `putIfAbsent` stays create-only. "native": PutObject with `If-None-Match: *` (AWS S3 since 2024,
   * MinIO). "emulated": HEAD then PUT, which is not atomic (two racing writers may both write; fine when,
   * as for farm chunks, every writer writes the same bytes). "auto": probes the server once, on first use.
   * @defaultValue "auto"
   */
  conditionalWrites?: ConditionalWriteMode;
  /**
   * Part size for multipart uploads of streams and large bodies, in bytes (at least 5 MiB).
   * @defaultValue 8 MiB
   */
  partSizeBytes?: number;
  /**
   * Parts uploaded in parallel per object.
   * @defaultValue 4
   */
  uploadConcurrency?: number;
  /**
   * Keys asked for per ListObjectsV2 / DeleteObjects request, 1 to 1000.
   * @defaultValue 1000
   */
  listPageSize?: number;
  /**
   * Attempts per request, including the first (the SDK retries throttling and 5xx).
   * @defaultValue 3
   */
  maxAttempts?: number;
}

export interface ResolvedS3Options {
  bucket: string;
  prefix: string;
  endpoint: string | null;
  region: string;
  /** The PEM text of `tlsCaFile`, or null. */
  tlsCa: string | null;
  forcePathStyle: boolean;
  credentials: S3Credentials | null;
  checksums: 'WHEN_REQUIRED' | 'WHEN_SUPPORTED';
  conditionalWrites: ConditionalWriteMode;
  partSizeBytes: number;
  uploadConcurrency: number;
  maxAttempts: number;
  listPageSize: number;
}

const MIN_PART_SIZE = 5 * 1024 * 1024;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function bad(option: string, expected: string, received: unknown): StorageError {
  return new StorageError('STORAGE_BAD_OPTION', `S3 option ${option} must be ${expected}. Received: ${String(received)}`);
}

function positiveInteger(option: string, value: number | undefined, fallback: number, min: number): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < min) throw bad(option, `an integer >= ${min}`, value);
  return resolved;
}

function pageSize(value: number | undefined): number {
  const resolved = positiveInteger('listPageSize', value, 1000, 1);
  if (resolved > 1000) throw bad('listPageSize', 'an integer from 1 to 1000', value);
  return resolved;
}

function readCa(file: string | undefined, endpoint: string | null): string | null {
  if (file === undefined) return null;
  if (endpoint !== null && !endpoint.startsWith('https://')) throw bad('tlsCaFile', 'given only with an https endpoint', `${file} with ${endpoint}`);
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    throw bad('tlsCaFile', 'a readable PEM file', `${file} (${(error as Error).message})`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw bad('tlsCaFile', 'a PEM file with a certificate (-----BEGIN CERTIFICATE-----)', file);
  return pem;
}

export function resolveS3Options(options: S3StorageOptions): ResolvedS3Options {
  if (typeof options.bucket !== 'string' || !BUCKET_NAME.test(options.bucket)) {
    throw bad('bucket', 'a bucket name of 3-63 lowercase letters, digits, dots and hyphens', options.bucket);
  }
  let prefix = options.prefix ?? '';
  if (prefix.startsWith('/')) throw bad('prefix', 'a relative key prefix (no leading "/")', prefix);
  if (prefix.length > 0 && !prefix.endsWith('/')) prefix += '/';
  const endpoint = options.endpoint ?? null;
  if (endpoint !== null && !/^https?:\/\/[^/]+/.test(endpoint)) throw bad('endpoint', 'an http(s) URL', endpoint);
  const conditionalWrites = options.conditionalWrites ?? 'auto';
  if (!['auto', 'native', 'emulated'].includes(conditionalWrites)) {
    throw bad('conditionalWrites', 'one of auto, native, emulated', conditionalWrites);
  }
  const checksums = options.checksums ?? (endpoint === null ? 'WHEN_SUPPORTED' : 'WHEN_REQUIRED');
  if (checksums !== 'WHEN_REQUIRED' && checksums !== 'WHEN_SUPPORTED') {
    throw bad('checksums', 'WHEN_REQUIRED or WHEN_SUPPORTED', checksums);
  }
  return Object.freeze({
    bucket: options.bucket,
    prefix,
    endpoint,
    region: options.region ?? 'us-east-1',
    tlsCa: readCa(options.tlsCaFile, endpoint),
    forcePathStyle: options.forcePathStyle ?? endpoint !== null,
    credentials: options.credentials ?? null,
    checksums,
    conditionalWrites,
    partSizeBytes: positiveInteger('partSizeBytes', options.partSizeBytes, 8 * 1024 * 1024, MIN_PART_SIZE),
    uploadConcurrency: positiveInteger('uploadConcurrency', options.uploadConcurrency, 4, 1),
    maxAttempts: positiveInteger('maxAttempts', options.maxAttempts, 3, 1),
    listPageSize: pageSize(options.listPageSize),
  });
}
