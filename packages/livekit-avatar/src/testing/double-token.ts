/** The claims of a LiveKit access token that the room double reads. */
export interface DoubleTokenClaims {
  identity: string;
  name: string;
  room: string;
  attributes: Record<string, string>;
  metadata: string;
}

/**
 * Reads a LiveKit access token (a JWT as livekit-server-sdk's AccessToken writes it: `sub`, `name`, `metadata`,
 * `attributes`, `video.room`, `video.roomJoin`). The double does not check the signature: it has no API secret.
 */
export function readToken(token: string): DoubleTokenClaims {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error(`a LiveKit token is a JWT of 3 parts. Passed: ${String(parts.length)} part(s)`);
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new Error('the LiveKit token\'s claims are not JSON');
  }
  const video = (claims.video ?? {}) as { room?: unknown; roomJoin?: unknown };
  if (typeof claims.sub !== 'string' || claims.sub.length === 0) throw new Error('the LiveKit token names no identity (sub)');
  if (video.roomJoin !== true || typeof video.room !== 'string') throw new Error('the LiveKit token grants no roomJoin to a named room');
  if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now()) throw new Error('the LiveKit token has expired');
  return {
    identity: claims.sub,
    name: typeof claims.name === 'string' ? claims.name : '',
    room: video.room,
    attributes: (claims.attributes ?? {}) as Record<string, string>,
    metadata: typeof claims.metadata === 'string' ? claims.metadata : '',
  };
}

/** An unsigned token the double accepts (tests without livekit-server-sdk). */
export function doubleToken(claims: { identity: string; room: string; name?: string; attributes?: Record<string, string> }): string {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const payload = { sub: claims.identity, name: claims.name ?? claims.identity, attributes: claims.attributes ?? {}, video: { room: claims.room, roomJoin: true } };
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(payload)}.unsigned`;
}
