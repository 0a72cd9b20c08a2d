import { PortraitFarmPluginError } from './plugin-error.ts';

/** What the farm needs to put a session in a LiveKit room (POST /v1/sessions, `livekit`). */
export interface LiveKitTransport {
  url: string;
  token: string;
  agent_identity: string;
}

export interface FarmSessionRequest {
  farmUrl: string;
  apiKey: string;
  avatarId: string;
  latency: 'quality' | 'low' | null;
  mode: 'crop' | 'full' | null;
  livekit: LiveKitTransport;
}

/** The farm's answer: the session's id (the rest of `SessionCreated` is for WebSocket clients). */
export interface FarmSession {
  id: string;
}

/** The body of POST /v1/sessions for a session played in a LiveKit room. */
export function farmSessionBody(request: FarmSessionRequest): Record<string, unknown> {
  return {
    avatar: request.avatarId,
    ...(request.latency === null ? {} : { latency: request.latency }),
    ...(request.mode === null ? {} : { mode: request.mode }),
    livekit: request.livekit,
  };
}

/** Starts the session on the farm; a refusal (no capacity, a bad avatar) is an error naming the farm's answer. */
export async function createFarmSession(request: FarmSessionRequest): Promise<FarmSession> {
  const endpoint = new URL('/v1/sessions', request.farmUrl);
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { authorization: `Bearer ${request.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(farmSessionBody(request)),
  });
  const text = await response.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  if (response.status !== 201) {
    const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
    const retryAfter = response.headers.get('retry-after');
    throw new PortraitFarmPluginError(
      'PLUGIN_SESSION_REFUSED',
      `the farm refused the session: ${String(response.status)} ${error?.code ?? ''} ${error?.message ?? text.slice(0, 200)}${retryAfter === null ? '' : ` (retry after ${retryAfter} s)`}`.replace(/\s+/g, ' ').trim(),
      response.status,
      error?.code ?? null,
    );
  }
  const id = (body as { id?: unknown } | null)?.id;
  if (typeof id !== 'string') throw new PortraitFarmPluginError('PLUGIN_SESSION_REFUSED', `the farm answered 201 without a session id: ${text.slice(0, 200)}`, response.status);
  return { id };
}
