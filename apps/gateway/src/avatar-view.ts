import type { AvatarRecord } from '@portrait-farm/avatars';
import { OUTPUT_MODES } from '@portrait-farm/contracts';
import type { GatewayContext } from './context.ts';

/** What the API shows of an avatar (the Avatar schema): no storage keys, no tenant. */
export function avatarView(ctx: GatewayContext, record: AvatarRecord): object {
  const { width, height, format, size, sha256 } = record.image;
  return {
    id: record.id,
    createdAt: record.createdAt,
    image: { width, height, format, size, sha256 },
    face: record.face,
    modes: [...OUTPUT_MODES],
    consent: record.consent,
    urls: { self: `${ctx.config.publicBaseUrl}/v1/avatars/${record.id}` },
  };
}
