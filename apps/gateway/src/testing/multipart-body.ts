import { randomBytes } from 'node:crypto';

export interface MultipartPart {
  name: string;
  value: string | Buffer;
  filename?: string;
  contentType?: string;
}

export interface MultipartBodyOptions {
  /** The boundary between parts. @defaultValue a random one */
  boundary?: string;
  /** End with the closing boundary (`--boundary--`). @defaultValue true */
  close?: boolean;
}

/** A multipart/form-data body and its content-type header, for app.inject() or a raw socket. */
export function multipartBody(parts: readonly MultipartPart[], options: MultipartBodyOptions = {}): { payload: Buffer; headers: Record<string, string> } {
  const boundary = options.boundary ?? `----pf${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`;
    if (part.filename !== undefined) head += `; filename="${part.filename}"`;
    head += '\r\n';
    if (part.contentType !== undefined) head += `Content-Type: ${part.contentType}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`), Buffer.isBuffer(part.value) ? part.value : Buffer.from(part.value), Buffer.from('\r\n'));
  }
  if (options.close !== false) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
