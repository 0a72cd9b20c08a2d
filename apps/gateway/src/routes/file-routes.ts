import { extname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../context.ts';
import { requestedRange } from '../byte-range.ts';
import { GatewayError } from '../errors.ts';
import { PRESIGNED_FILE_SCHEMA } from '../route-schemas.ts';

const CONTENT_TYPES: Readonly<Record<string, string>> = Object.freeze({
  '.mp4': 'video/mp4',
  '.ts': 'video/mp2t',
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.json': 'application/json',
});

/** GET /v1/files/{key}?expires&sig: objects of the filesystem driver behind presigned URLs (no API key needed). */
export async function fileRoutes(app: FastifyInstance, ctx: GatewayContext): Promise<void> {
  app.get<{ Params: { '*': string }; Querystring: { expires: string; sig: string }; Headers: { range?: string } }>('/v1/files/*', { schema: PRESIGNED_FILE_SCHEMA }, async (request, reply) => {
    const files = ctx.fileStorage;
    if (files === null) throw new GatewayError('GATEWAY_NOT_FOUND', 'Files are served by the storage service itself.');
    const storage = ctx.storage;
    const key = request.params['*'];
    const { expires, sig } = request.query;
    if (!files.verifyPresigned(key, expires, sig)) {
      throw new GatewayError('GATEWAY_BAD_SIGNATURE', 'The file URL has a wrong signature or has expired.');
    }
    const info = await storage.head(key);
    if (info === null) throw new GatewayError('GATEWAY_NOT_FOUND', 'The file does not exist.');
    const range = requestedRange(request.headers.range, info.size);
    const stream = await storage.getStream(key, range ?? undefined);
    reply
      .header('content-type', CONTENT_TYPES[extname(key).toLowerCase()] ?? 'application/octet-stream')
      .header('accept-ranges', 'bytes')
      .header('cache-control', 'private, max-age=60');
    if (range === null) return reply.header('content-length', String(info.size)).send(stream);
    return reply
      .code(206)
      .header('content-range', `bytes ${range.start}-${range.end}/${info.size}`)
      .header('content-length', String(range.end - range.start + 1))
      .send(stream);
  });
}
