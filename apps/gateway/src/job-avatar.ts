import { isAvatarId } from '@portrait-farm/avatars';
import type { AvatarRecord } from '@portrait-farm/avatars';
import { showValue } from '@portrait-farm/contracts';
import type { JobImageInput, JobOptions } from '@portrait-farm/jobs';
import type { GatewayContext } from './context.ts';
import { GatewayError } from './errors.ts';
import type { RawJobRequest } from './job-inputs.ts';

// A job made from an avatar (POST /v1/jobs with `avatar` instead of `image`): the avatar's face choice becomes the
// job's, its portrait is copied to the job's inputs, and the worker's prepare reads the avatar's prepared portrait.

/** The avatar id of a create request, or null when it sends an image; refuses both or neither. */
export function requestedAvatarId(raw: RawJobRequest): string | null {
  const value = raw.fields['avatar'];
  const image = raw.files.image !== undefined || raw.urls.image !== undefined;
  if (value === undefined) {
    if (!image) throw new GatewayError('GATEWAY_BAD_REQUEST', 'A job needs its portrait: the file (or URL) "image", or "avatar" with the id of a stored avatar.');
    return null;
  }
  if (image) throw new GatewayError('GATEWAY_BAD_REQUEST', 'Send either "image" or "avatar", not both: an avatar already holds its portrait.');
  if (typeof value !== 'string' || !isAvatarId(value)) {
    throw new GatewayError('GATEWAY_BAD_OPTION', `avatar must be an avatar id (av_ and 26 characters, as POST /v1/avatars answers). Received: ${showValue(value)}`);
  }
  return value;
}

/** The job's options with the avatar's face choice; faceIndex and faceBox of the request are refused (the avatar chose its face). */
export function avatarJobOptions(options: JobOptions, avatar: AvatarRecord): JobOptions {
  if (options.faceIndex !== undefined || options.faceBox !== undefined) {
    throw new GatewayError(
      'GATEWAY_BAD_OPTION',
      `options.faceIndex and options.faceBox do not apply to a job made from avatar ${avatar.id}: its face was chosen when it was created. Received: ${showValue(options.faceIndex ?? options.faceBox)}`,
    );
  }
  const { faceIndex, faceBox } = avatar.face;
  return { ...options, ...(faceIndex === null ? {} : { faceIndex }), ...(faceBox === null ? {} : { faceBox }) };
}

/** Copies the avatar's portrait to the job's inputs (the job keeps it whatever happens to the avatar). */
export async function copyAvatarImage(ctx: GatewayContext, avatar: AvatarRecord, jobId: string): Promise<JobImageInput> {
  const { key: from, ...facts } = avatar.image;
  const key = `jobs/${jobId}/input/image.${avatar.image.format === 'jpeg' ? 'jpg' : avatar.image.format}`;
  await ctx.storage.put(key, await ctx.storage.get(from), { contentType: avatar.image.contentType });
  return { key, ...facts };
}
