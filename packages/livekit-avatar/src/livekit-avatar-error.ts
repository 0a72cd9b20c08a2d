export type LiveKitAvatarErrorCode = 'LIVEKIT_AVATAR_BAD_AUDIO' | 'LIVEKIT_AVATAR_BAD_OPTIONS' | 'LIVEKIT_AVATAR_NOT_CONNECTED';

/** An error of the LiveKit avatar participant, with a stable code. */
export class LiveKitAvatarError extends Error {
  readonly code: LiveKitAvatarErrorCode;

  constructor(code: LiveKitAvatarErrorCode, message: string) {
    super(message);
    this.name = 'LiveKitAvatarError';
    this.code = code;
  }
}
