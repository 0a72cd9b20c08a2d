import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ClaimResult } from '@portrait-farm/sessions';

/** Why the session server refuses a WebSocket upgrade: the HTTP status and a stable code. */
export const UPGRADE_REFUSALS = Object.freeze({
  LIVE_HOST_NOT_A_STREAM: { status: 404, message: 'The session server serves only /v1/sessions/{id}/stream?token=...' },
  LIVE_HOST_BAD_HANDSHAKE: { status: 400, message: 'Not a WebSocket handshake (Upgrade: websocket, Sec-WebSocket-Version 13 and a Sec-WebSocket-Key are needed).' },
  LIVE_HOST_BAD_TRANSPORT: { status: 400, message: 'transport must be fmp4 (the default) or webrtc.' },
  LIVE_HOST_NO_TOKEN: { status: 401, message: 'The stream URL carries no token: use the stream.url POST /v1/sessions returned.' },
  LIVE_HOST_SESSION_NOT_FOUND: { status: 404, message: 'No such session on this worker.' },
  LIVE_HOST_BAD_TOKEN: { status: 403, message: 'The token is not this session\'s.' },
  LIVE_HOST_LIVEKIT_SESSION: { status: 409, message: 'The session plays in a LiveKit room, which its worker joins: it has no stream to connect to.' },
  LIVE_HOST_TOKEN_USED: { status: 409, message: 'The token was already used: a session takes one connection. Create a new session.' },
  LIVE_HOST_TOKEN_EXPIRED: { status: 410, message: 'The token expired before the client connected; the session has ended. Create a new session.' },
  LIVE_HOST_SESSION_ENDED: { status: 410, message: 'The session has ended. Create a new session.' },
  LIVE_HOST_SHUTTING_DOWN: { status: 503, message: 'The worker is shutting down. Create a new session.' },
});

export type UpgradeRefusal = keyof typeof UPGRADE_REFUSALS;

const BY_CLAIM: Record<Exclude<ClaimResult, 'ok'>, UpgradeRefusal> = {
  unknown: 'LIVE_HOST_SESSION_NOT_FOUND',
  ended: 'LIVE_HOST_SESSION_ENDED',
  bad_token: 'LIVE_HOST_BAD_TOKEN',
  livekit: 'LIVE_HOST_LIVEKIT_SESSION',
  used: 'LIVE_HOST_TOKEN_USED',
  expired: 'LIVE_HOST_TOKEN_EXPIRED',
};

export function claimRefusal(result: Exclude<ClaimResult, 'ok'>): UpgradeRefusal {
  return BY_CLAIM[result];
}

/** Answers the upgrade request with the refusal's status and `{ error: { code, message } }`, and closes the connection. */
export function refuseUpgrade(socket: Duplex, code: UpgradeRefusal): void {
  const { status, message } = UPGRADE_REFUSALS[code];
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

const WEBSOCKET_KEY = /^[+/0-9A-Za-z]{22}==$/;

/** Whether the upgrade request is a handshake `ws` accepts, checked before the token is spent on it. */
export function isWebSocketHandshake(request: IncomingMessage): boolean {
  const version = Number(request.headers['sec-websocket-version']);
  return (
    request.method === 'GET' &&
    request.headers.upgrade?.toLowerCase() === 'websocket' &&
    WEBSOCKET_KEY.test(request.headers['sec-websocket-key'] ?? '') &&
    (version === 8 || version === 13)
  );
}
