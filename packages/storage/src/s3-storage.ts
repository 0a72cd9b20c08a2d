import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { Agent as HttpsAgent } from 'node:https';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { rootCertificates } from 'node:tls';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { isTlsHandshakeError } from '@portrait-farm/contracts/tls-errors';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { writeFileAtomic } from './atomic-file.ts';
import { assertValidBody, bodyToBuffer, bodyToReadable, isPathBody } from './body.ts';
import { StorageError } from './errors.ts';
import { resolveExpiresSeconds } from './file-presign.ts';
import { assertValidKey, assertValidPrefix } from './keys.ts';
import { resolveListOptions } from './list-options.ts';
import type { ByteRange, ListOptions, ObjectBody, ObjectInfo, ObjectStorage, PresignOptions, PutOptions } from './object-storage.ts';
import { httpStatusOf, s3Error, s3TlsError } from './s3-errors.ts';
import { resolveS3Options } from './s3-options.ts';
import type { ResolvedS3Options, S3StorageOptions } from './s3-options.ts';

/** Objects in an S3-protocol bucket (AWS S3, MinIO, s3rver). */
export class S3Storage implements ObjectStorage {
  readonly driver = 's3';
  readonly location: string;
  private readonly options: ResolvedS3Options;
  private readonly client: S3Client;
  private conditionalWrites: Promise<'native' | 'emulated'> | null = null;

  constructor(options: S3StorageOptions) {
    this.options = resolveS3Options(options);
    const { endpoint, bucket, prefix } = this.options;
    this.location = `s3://${bucket}/${prefix}${endpoint === null ? '' : ` at ${endpoint}`}`;
    this.client = new S3Client({
      region: this.options.region,
      forcePathStyle: this.options.forcePathStyle,
      requestChecksumCalculation: this.options.checksums,
      responseChecksumValidation: this.options.checksums,
      maxAttempts: this.options.maxAttempts,
      ...(endpoint === null ? {} : { endpoint }),
      ...(this.options.credentials === null ? {} : { credentials: this.options.credentials }),
      // A given CA adds to Node's root CAs for this client alone (not to webhooks or input downloads).
      ...(this.options.tlsCa === null ? {} : { requestHandler: { httpsAgent: new HttpsAgent({ keepAlive: true, ca: [...rootCertificates, this.options.tlsCa] }) } }),
    });
  }

  private objectKey(key: string): string {
    assertValidKey(key);
    return this.options.prefix + key;
  }

  async put(key: string, body: ObjectBody, options: PutOptions = {}): Promise<void> {
    const objectKey = this.objectKey(key);
    assertValidBody(key, body);
    try {
      const contentLength = isPathBody(body) ? (await stat(body.path)).size : undefined;
      const upload = new Upload({
        client: this.client,
        partSize: this.options.partSizeBytes,
        queueSize: this.options.uploadConcurrency,
        leavePartsOnError: false,
        params: {
          Bucket: this.options.bucket,
          Key: objectKey,
          Body: body instanceof Uint8Array ? body : bodyToReadable(body),
          ...(contentLength === undefined ? {} : { ContentLength: contentLength }),
          ...(options.contentType === undefined ? {} : { ContentType: options.contentType }),
        },
      });
      await upload.done();
    } catch (error) {
      throw s3Error('write', key, this.location, error);
    }
  }

  async putIfAbsent(key: string, body: ObjectBody, options: PutOptions = {}): Promise<boolean> {
    const objectKey = this.objectKey(key);
    assertValidBody(key, body);
    const mode = await this.conditionalWriteMode();
    if (mode === 'emulated' && (await this.head(key)) !== null) return false;
    const bytes = await bodyToBuffer(body);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(
          new PutObjectCommand({
            Bucket: this.options.bucket,
            Key: objectKey,
            Body: bytes,
            ...(mode === 'native' ? { IfNoneMatch: '*' } : {}),
            ...(options.contentType === undefined ? {} : { ContentType: options.contentType }),
          }),
        );
        return true;
      } catch (error) {
        const status = httpStatusOf(error);
        if (status === 412) return false;
        // 409 ConditionalRequestConflict: another conditional write to this key is in flight; ask again.
        if (status === 409 && attempt < 4) {
          await new Promise((done) => setTimeout(done, 50 * attempt));
          continue;
        }
        throw s3Error('write', key, this.location, error);
      }
    }
  }

  /** Resolves the conditional-write mode, probing the server once when it is "auto". */
  private conditionalWriteMode(): Promise<'native' | 'emulated'> {
    const configured = this.options.conditionalWrites;
    if (configured !== 'auto') return Promise.resolve(configured);
    this.conditionalWrites ??= this.probeConditionalWrites().catch((error: unknown) => {
      this.conditionalWrites = null;
      throw error;
    });
    return this.conditionalWrites;
  }

  private async probeConditionalWrites(): Promise<'native' | 'emulated'> {
    const probeKey = `${this.options.prefix}.conditional-write-probe/${randomUUID()}`;
    const put = () =>
      this.client.send(
        new PutObjectCommand({ Bucket: this.options.bucket, Key: probeKey, Body: Buffer.from('probe'), IfNoneMatch: '*' }),
      );
    try {
      await put();
      try {
        await put();
        return 'emulated';
      } catch (error) {
        if (httpStatusOf(error) === 412) return 'native';
        throw error;
      }
    } catch (error) {
      throw s3Error('probe conditional writes with', probeKey, this.location, error);
    } finally {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: probeKey })).catch(() => undefined);
    }
  }

  private async getObject(key: string, range?: ByteRange): Promise<Readable> {
    const objectKey = this.objectKey(key);
    try {
      const response = await this.client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: objectKey, ...(range === undefined ? {} : { Range: `bytes=${range.start}-${range.end}` }) }),
      );
      if (!(response.Body instanceof Readable)) {
        throw new StorageError('STORAGE_IO', `S3 returned no readable body for ${JSON.stringify(key)} at ${this.location}.`);
      }
      return response.Body;
    } catch (error) {
      throw s3Error('read', key, this.location, error);
    }
  }

  async get(key: string): Promise<Buffer> {
    const stream = await this.getObject(key);
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    } catch (error) {
      throw s3Error('read', key, this.location, error);
    }
  }

  async getStream(key: string, range?: ByteRange): Promise<Readable> {
    return this.getObject(key, range);
  }

  async getToFile(key: string, path: string): Promise<number> {
    const stream = await this.getObject(key);
    try {
      const result = await writeFileAtomic(resolve(path), stream, { mode: 'replace', fsync: true });
      return result === null ? 0 : result.size;
    } catch (error) {
      stream.destroy();
      throw s3Error('download', key, this.location, error);
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const objectKey = this.objectKey(key);
    try {
      const response = await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: objectKey }));
      return {
        size: response.ContentLength ?? 0,
        etag: response.ETag ?? null,
        lastModified: response.LastModified ?? new Date(0),
        contentType: response.ContentType ?? null,
      };
    } catch (error) {
      if (httpStatusOf(error) === 404) return null;
      throw s3Error('stat', key, this.location, error);
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.head(key)) !== null;
  }

  async delete(key: string): Promise<void> {
    const objectKey = this.objectKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: objectKey }));
    } catch (error) {
      if (httpStatusOf(error) === 404) return;
      throw s3Error('delete', key, this.location, error);
    }
  }

  async deletePrefix(prefix: string): Promise<number> {
    assertValidPrefix(prefix, { allowEmpty: false });
    let deleted = 0;
    for (;;) {
      const keys = await this.list(prefix, { limit: this.options.listPageSize });
      if (keys.length === 0) return deleted;
      try {
        const response = await this.client.send(
          new DeleteObjectsCommand({
            Bucket: this.options.bucket,
            Delete: { Objects: keys.map((key) => ({ Key: this.options.prefix + key })), Quiet: true },
          }),
        );
        const failed = response.Errors ?? [];
        if (failed.length > 0) {
          const first = failed[0];
          throw new StorageError(
            'STORAGE_IO',
            `Cannot delete ${failed.length} of ${keys.length} objects under ${JSON.stringify(prefix)} at ${this.location}; first: ${first?.Key ?? '?'} (${first?.Code ?? '?'}: ${first?.Message ?? ''})`,
          );
        }
        deleted += keys.length;
      } catch (error) {
        throw s3Error('delete prefix', prefix, this.location, error);
      }
    }
  }

  async list(prefix: string, options: ListOptions = {}): Promise<string[]> {
    assertValidPrefix(prefix, { allowEmpty: true });
    const { limit, after } = resolveListOptions(options);
    const keys: string[] = [];
    let continuationToken: string | undefined;
    try {
      do {
        const remaining = limit === null ? this.options.listPageSize : Math.min(this.options.listPageSize, limit - keys.length);
        const response = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.options.bucket,
            Prefix: this.options.prefix + prefix,
            MaxKeys: remaining,
            ...(continuationToken === undefined
              ? after === null
                ? {}
                : { StartAfter: this.options.prefix + after }
              : { ContinuationToken: continuationToken }),
          }),
        );
        for (const object of response.Contents ?? []) {
          if (object.Key !== undefined) keys.push(object.Key.slice(this.options.prefix.length));
        }
        continuationToken = response.IsTruncated === true ? response.NextContinuationToken : undefined;
      } while (continuationToken !== undefined && (limit === null || keys.length < limit));
    } catch (error) {
      throw s3Error('list', prefix, this.location, error);
    }
    return limit === null ? keys : keys.slice(0, limit);
  }

  async presignGet(key: string, options: PresignOptions = {}): Promise<string> {
    const objectKey = this.objectKey(key);
    const expiresIn = resolveExpiresSeconds(options.expiresSeconds);
    try {
      return await getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.options.bucket, Key: objectKey }), {
        expiresIn,
      });
    } catch (error) {
      throw s3Error('presign', key, this.location, error);
    }
  }

  async check(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.options.bucket }));
    } catch (error) {
      if (isTlsHandshakeError(error)) throw s3TlsError(`S3 bucket ${this.location} is not usable`, this.location, error);
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new StorageError('STORAGE_UNAVAILABLE', `S3 bucket ${this.location} is not usable: ${reason}`, {
        cause: error,
      });
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
