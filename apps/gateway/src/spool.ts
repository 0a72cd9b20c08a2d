import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GatewayError } from './errors.ts';

/** Bytes still allowed for the inputs of one request; shared by its files so the limit is on the total. */
export interface ByteBudget {
  limit: number;
  used: number;
}

export interface SpooledFile {
  path: string;
  size: number;
  sha256: string;
}

export function tooLarge(limit: number, received: string): GatewayError {
  return new GatewayError('GATEWAY_UPLOAD_TOO_LARGE', `The inputs must be at most ${limit} bytes in all. Received: ${received}`);
}

/**
 * Copies a stream to a local file, hashing it on the way and stopping as soon as the request's byte budget is
 * exceeded (GATEWAY_UPLOAD_TOO_LARGE): nothing larger than the limit is ever held or written.
 */
export async function spoolToFile(source: Readable, path: string, budget: ByteBudget): Promise<SpooledFile> {
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      budget.used += chunk.length;
      if (budget.used > budget.limit) {
        callback(tooLarge(budget.limit, `more than ${budget.limit} bytes`));
        return;
      }
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  await pipeline(source, meter, createWriteStream(path));
  return { path, size, sha256: hash.digest('hex') };
}
