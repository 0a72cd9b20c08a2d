/** What a client asks for at the upgrade: `/v1/sessions/{id}/stream?token=...[&transport=webrtc]`. */
export interface StreamRequest {
  sessionId: string;
  token: string | null;
  /** The `transport` parameter as given (null: none; the session host checks it). */
  transport: string | null;
}

const STREAM_PATH = /^\/v1\/sessions\/([^/]+)\/stream$/;

/** The session and token of an upgrade's URL, or null when the path is not a session's stream. */
export function parseStreamRequest(url: string | undefined): StreamRequest | null {
  const parsed = new URL(url ?? '/', 'http://host');
  const match = STREAM_PATH.exec(parsed.pathname);
  if (match === null) return null;
  const token = parsed.searchParams.get('token');
  return { sessionId: decodeURIComponent(match[1]!), token: token === '' ? null : token, transport: parsed.searchParams.get('transport') };
}

/** The path of a session's stream on its host. */
export function streamPath(sessionId: string, token: string): string {
  return `/v1/sessions/${encodeURIComponent(sessionId)}/stream?token=${encodeURIComponent(token)}`;
}
