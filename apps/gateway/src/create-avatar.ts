import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { avatarKeys, createAvatarId } from '@portrait-farm/avatars';
import type { AvatarRecord } from '@portrait-farm/avatars';
import type { FaceBox } from '@portrait-farm/contracts';
import type { FastifyRequest } from 'fastify';
import { AvatarFaceChoiceSchema } from './api-schemas.ts';
import type { GatewayContext } from './context.ts';
import { GatewayError } from './errors.ts';
import { AVATAR_PARTS, fetchInputs, readJsonRequest, readMultipart, requireFiles } from './job-inputs.ts';
import { checkField, parseConsent } from './job-request.ts';

/** The face choice of a create (`face`), checked against its schema. */
function parseFaceChoice(value: unknown): { faceIndex?: number; faceBox?: FaceBox } {
  if (value === undefined || value === null) return {};
  checkField(AvatarFaceChoiceSchema, value, 'face');
  return value as { faceIndex?: number; faceBox?: FaceBox };
}

/**
 * POST /v1/avatars: the portrait is spooled (multipart) or downloaded (JSON URL) under the upload limit, gets the
 * checks a job's image gets in the input-check thread (format, pixels, face box, the face a worker would animate),
 * then the portrait and the record are stored under `avatars/{tenant}/{id}/`. The face analysis proper (landmarks,
 * framing per mode, the renderer's neutral) runs on a worker with the engine's analyzer at the avatar's first use,
 * so that a job made from an avatar renders byte for byte as one made from the image.
 */
export async function createAvatar(ctx: GatewayContext, request: FastifyRequest, tenantId: string): Promise<AvatarRecord> {
  const { limits, inputFetch } = ctx.config;
  const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!request.isMultipart() && contentType !== 'application/json') {
    throw new GatewayError(
      'GATEWAY_UNSUPPORTED_MEDIA_TYPE',
      `POST /v1/avatars takes multipart/form-data or application/json. Received: ${contentType === '' ? 'no content type' : contentType}`,
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'pf-gateway-avatar-'));
  try {
    const budget = { limit: limits.maxUploadBytes, used: 0 };
    const raw = request.isMultipart() ? await readMultipart(request, dir, budget, AVATAR_PARTS) : readJsonRequest(request.body, inputFetch, AVATAR_PARTS);
    if (request.isMultipart()) requireFiles(raw, ['image']);
    const consent = parseConsent(raw.fields['consent']);
    const face = parseFaceChoice(raw.fields['face']);
    const local = await fetchInputs(raw, dir, budget, inputFetch);
    const file = local.image;
    if (file === undefined) throw new GatewayError('GATEWAY_BAD_REQUEST', 'An avatar needs its portrait: the file (or URL) "image".');
    const { image } = await ctx.inputChecks.check({
      imagePath: file.path,
      audioPath: null,
      maxImagePixels: limits.maxImagePixels,
      maxAudioSeconds: limits.maxAudioSeconds,
      faceCheck: ctx.config.faceCheck,
      options: face,
    });
    if (image === null) throw new Error('The input checks answered no image facts for an image.');
    const id = createAvatarId();
    const now = new Date().toISOString();
    const record: AvatarRecord = {
      id,
      tenantId,
      createdAt: now,
      image: {
        key: avatarKeys.image(tenantId, id, image.format === 'jpeg' ? 'jpg' : image.format),
        size: file.size,
        sha256: file.sha256,
        contentType: `image/${image.format}`,
        width: image.width,
        height: image.height,
        format: image.format,
      },
      face: { faceIndex: face.faceIndex ?? null, faceBox: face.faceBox ?? null, box: image.face },
      consent: { ...consent, at: now },
    };
    try {
      await ctx.avatars.create(record, file.path);
    } catch (error) {
      await ctx.storage.deletePrefix(avatarKeys.root(tenantId, id)).catch(() => 0);
      throw error;
    }
    return record;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
