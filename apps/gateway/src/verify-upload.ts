import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MultipartFile } from '@fastify/multipart';
import { verifyVideo } from '@portrait-farm/provenance';
import type { VideoVerification } from '@portrait-farm/provenance';
import { detectWatermarkInVideo } from '@portrait-farm/watermark';
import type { FastifyRequest } from 'fastify';
import type { GatewayContext } from './context.ts';
import { GatewayError } from './errors.ts';
import { spoolToFile, tooLarge } from './spool.ts';

/**
 * POST /v1/verify: the multipart file `video` spooled (under the upload limit) and checked: the signed manifest with
 * the farm's public key, and the invisible watermark (@portrait-farm/watermark's detector).
 */
export async function verifyUpload(ctx: GatewayContext, request: FastifyRequest): Promise<VideoVerification> {
  if (!request.isMultipart()) throw new GatewayError('GATEWAY_UNSUPPORTED_MEDIA_TYPE', 'POST /v1/verify takes multipart/form-data with the file "video".');
  const dir = await mkdtemp(join(tmpdir(), 'pf-verify-'));
  try {
    const budget = { limit: ctx.config.limits.maxUploadBytes, used: 0 };
    let path: string | null = null;
    for await (const part of request.parts()) {
      if (part.type !== 'file' || part.fieldname !== 'video' || path !== null) {
        if (part.type === 'file') (part as MultipartFile).file.resume();
        throw new GatewayError('GATEWAY_BAD_REQUEST', `POST /v1/verify takes one file part "video" and nothing else. Received the ${part.type === 'file' ? 'file' : 'field'} "${part.fieldname}".`);
      }
      const file = part as MultipartFile;
      const spooled = await spoolToFile(file.file, join(dir, 'video.mp4'), budget);
      if (file.file.truncated) throw tooLarge(budget.limit, `more than ${budget.limit} bytes`);
      path = spooled.path;
    }
    if (path === null) throw new GatewayError('GATEWAY_BAD_REQUEST', 'The multipart file "video" is missing.');
    const result = await verifyVideo(path, { publicKey: ctx.signingKey?.publicKey ?? null, detect: (video) => detectWatermarkInVideo(video, ctx.config.watermarkKey === null ? {} : { key: ctx.config.watermarkKey }) });
    const problem = result.manifest.problem;
    if (problem !== null && problem.startsWith('not an MP4')) throw new GatewayError('GATEWAY_BAD_VIDEO', `The file "video" is ${problem}.`);
    // Messages from ffprobe name the spooled file: the caller is told of "the video", not of this machine's folders.
    return JSON.parse(JSON.stringify(result).replaceAll(path, 'the video').replaceAll(dir, 'the upload')) as VideoVerification;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
