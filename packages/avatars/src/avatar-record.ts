import type { FaceBox } from '@portrait-farm/contracts';

/** The portrait as stored, with what the gateway measured of it. */
export interface AvatarImage {
  key: string;
  size: number;
  sha256: string;
  /** image/jpeg, image/png or image/webp. */
  contentType: string;
  width: number;
  height: number;
  /** jpeg, png or webp. */
  format: string;
}

/** How the face was chosen at create (the job options of the same names), and the face found with that choice. */
export interface AvatarFace {
  faceIndex: number | null;
  faceBox: FaceBox | null;
  /** The face's box in image pixels as the check found it; null where the gateway checks no faces (faceCheck off). */
  box: FaceBox | null;
}

/** The submitter's consent attestation for the portrait, as jobs record theirs. */
export interface AvatarConsent {
  attestation: true;
  statement: string | null;
  /** When the gateway received it (ISO 8601). */
  at: string;
}

/** Everything the store keeps about an avatar (its `avatar.json`). */
export interface AvatarRecord {
  id: string;
  tenantId: string;
  /** ISO 8601. */
  createdAt: string;
  image: AvatarImage;
  face: AvatarFace;
  consent: AvatarConsent;
}

/** Format version of `avatar.json`, refused when unknown. */
export const AVATAR_RECORD_VERSION = 1;
