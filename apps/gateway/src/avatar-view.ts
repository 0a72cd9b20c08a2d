import type { AvatarConsent, AvatarFace, AvatarRecord } from '@portrait-farm/avatars';
import { OUTPUT_MODES } from '@portrait-farm/contracts';
import type { OutputMode } from '@portrait-farm/contracts';
import type { GatewayContext } from './context.ts';

/** An avatar as the API shows it (the Avatar schema): no storage keys, no tenant. */
export interface AvatarView {
  id: string;
  createdAt: string;
  image: { width: number; height: number; format: string; size: number; sha256: string };
  face: AvatarFace;
  modes: OutputMode[];
  consent: AvatarConsent;
  urls: { self: string };
}

/** What the API shows of an avatar. */
export function avatarView(ctx: GatewayContext, record: AvatarRecord): AvatarView {
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
