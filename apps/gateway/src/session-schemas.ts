import { AVATAR_ID_PATTERN_SOURCE } from '@portrait-farm/avatars';
import { LIVE_LATENCY_MODES, OUTPUT_MODES, RenderControlsSchema } from '@portrait-farm/contracts';
import { SESSION_ID_PATTERN_SOURCE } from '@portrait-farm/sessions';
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifySchema } from 'fastify';
import { AUTHENTICATED_ERRORS, errorResponses } from './api-schemas.ts';
import type { ResolvedGatewayConfig } from './config.ts';
import { SESSION_FPS, SESSION_INPUT_RATES } from './session-components.ts';

type SessionLimits = ResolvedGatewayConfig['sessions'];

/** The realtime sessions' routes (POST/GET/DELETE /v1/sessions, GET /v1/usage); their components are in session-components.ts. */

const ref = (id: string, description: string): TSchema => Type.Unsafe({ $ref: `${id}#`, description });

const sessionIdParams = Type.Object({ sessionId: Type.String({ pattern: SESSION_ID_PATTERN_SOURCE, description: 'The session\'s id.' }) });

/** What a session's create accepts, its lengths bounded by the gateway's configuration (PORTRAIT_FARM_SESSION_*). */
function createSessionBody(limits: SessionLimits): TSchema {
  return Type.Object(
    {
      avatar: Type.String({ pattern: AVATAR_ID_PATTERN_SOURCE, description: 'The avatar to animate (POST /v1/avatars).' }),
      inputSampleRate: Type.Optional(Type.Union(SESSION_INPUT_RATES.map((rate) => Type.Literal(rate)), { description: 'Rate of the PCM16 mono audio the client sends (Hz). Default: 16000.' })),
      latency: Type.Optional(
        Type.Unsafe({
          type: 'string',
          enum: [...LIVE_LATENCY_MODES],
          description: '"quality" (default): frames about 450-500 ms after their audio on 2 CPU cores, the pack\'s own denoiser with a long look-ahead; "low": about 210-250 ms, the pack\'s model for sessions (live_denoiser), lips closing on p/b/m about as often as in batch renders (docs/realtime.md, "Latency").',
        }),
      ),
      mode: Type.Optional(Type.Unsafe({ type: 'string', enum: [...OUTPUT_MODES], description: '"crop" (default): the 512x512 face crop; "full": the portrait\'s own framing.' })),
      fps: Type.Optional(Type.Literal(SESSION_FPS, { description: 'Frames per second: the model pack\'s 25, the only rate sessions stream at.' })),
      seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 2, description: 'Seed of the idle motion, blinks and denoiser. Default: random.' })),
      controls: Type.Optional(RenderControlsSchema),
      idleTimeoutSeconds: Type.Optional(
        Type.Integer({ minimum: 1, maximum: limits.maxSeconds, description: `The session ends after the client sent nothing for this long. Default: ${limits.idleSeconds} (PORTRAIT_FARM_SESSION_IDLE_SECONDS).` }),
      ),
      maxDurationSeconds: Type.Optional(
        Type.Integer({ minimum: 1, maximum: limits.maxSeconds, description: `The session ends this long after it started. Default and most: ${limits.maxSeconds} (PORTRAIT_FARM_SESSION_MAX_SECONDS).` }),
      ),
      livekit: Type.Optional(
        Type.Object(
          {
            url: Type.String({ pattern: '^wss?://', maxLength: 2048, description: 'The LiveKit server (ws:// or wss://).' }),
            token: Type.String({ minLength: 1, maxLength: 8192, description: 'The avatar participant\'s access token: its identity, roomJoin to the agent\'s room, the attribute lk.publish_on_behalf naming the agent.' }),
            agent_identity: Type.String({ minLength: 1, maxLength: 256, description: 'The agent participant whose speech the avatar plays (lk.audio_stream) and whose RPCs it answers.' }),
          },
          {
            additionalProperties: false,
            description:
              'Play the session in a LiveKit room as the agent\'s avatar (LiveKit\'s avatar protocol; @portrait-farm/livekit-plugin sends this) instead of over the stream WebSocket: the worker joins the room, publishes avatar_video and avatar_audio, and ends the session when the agent leaves (docs/realtime.md, "LiveKit").',
          },
        ),
      ),
    },
    { additionalProperties: false, description: 'A realtime session: audio streamed in over a WebSocket, the avatar talking in the video streamed out.' },
  );
}

export function createSessionSchema(limits: SessionLimits): FastifySchema {
  return {
    operationId: 'createSession',
    summary: 'Start a realtime session on a worker with room',
    description:
      'Places the session on a worker with a free session slot and returns its stream URL with a one-time token: a WebSocket on this gateway (GET /v1/sessions/{id}/stream?token=...), which forwards it to the worker. When every worker is full: 503 GATEWAY_NO_SESSION_CAPACITY with Retry-After (seconds until the soonest slot can free up). When the caller already has as many sessions waiting or streaming as PORTRAIT_FARM_SESSIONS_PER_TENANT allows: 429 GATEWAY_SESSION_LIMIT with Retry-After (seconds until its soonest can end).',
    body: createSessionBody(limits),
    response: {
      201: { ...ref('SessionCreated', 'Placed.'), headers: { location: { type: 'string', format: 'uri', description: 'The session.' } } },
      ...errorResponses(...AUTHENTICATED_ERRORS, 'GATEWAY_BAD_REQUEST', 'GATEWAY_UNSUPPORTED_MEDIA_TYPE', 'GATEWAY_BAD_OPTION', 'GATEWAY_AVATAR_NOT_FOUND', 'GATEWAY_SESSION_LIMIT', 'GATEWAY_NO_SESSION_CAPACITY'),
    },
  };
}

export const GET_SESSION_SCHEMA = {
  operationId: 'getSession',
  summary: 'A session\'s status, end reason and seconds streamed',
  params: sessionIdParams,
  response: { 200: ref('Session', 'The session.'), ...errorResponses(...AUTHENTICATED_ERRORS, 'GATEWAY_BAD_REQUEST', 'GATEWAY_SESSION_NOT_FOUND') },
};

export const DELETE_SESSION_SCHEMA = {
  operationId: 'deleteSession',
  summary: 'End a session',
  description: 'A waiting session ends at once; a streaming one is ended by its worker, which sends its client `closed` and closes the socket. Answers the session as it is now (an ended one as it ended).',
  params: sessionIdParams,
  response: { 200: ref('Session', 'The session.'), ...errorResponses(...AUTHENTICATED_ERRORS, 'GATEWAY_BAD_REQUEST', 'GATEWAY_SESSION_NOT_FOUND') },
};

export const STREAM_SESSION_SCHEMA = {
  operationId: 'streamSession',
  summary: 'A session\'s stream: a WebSocket speaking portrait-farm-live/1',
  description:
    'Connect with a WebSocket upgrade to the stream.url POST /v1/sessions returned: its token is the credential (one connection per token; no API key). Any gateway forwards the upgrade to the worker that hosts the session, which checks the token as it does for every stream and answers a refusal with `{ error: { code, message } }`: 400 LIVE_HOST_BAD_HANDSHAKE, 401 LIVE_HOST_NO_TOKEN, 403 LIVE_HOST_BAD_TOKEN, 409 LIVE_HOST_TOKEN_USED or LIVE_HOST_LIVEKIT_SESSION (a LiveKit session has no stream: its worker joins the room), 410 LIVE_HOST_TOKEN_EXPIRED or LIVE_HOST_SESSION_ENDED, 503 LIVE_HOST_SHUTTING_DOWN. Text and binary messages pass through the gateway unchanged, close codes and reasons included (docs/realtime.md). A GET without the upgrade (the handshake headers below) is 400 GATEWAY_UPGRADE_REQUIRED.',
  security: [],
  params: sessionIdParams,
  querystring: Type.Object({ token: Type.Optional(Type.String({ description: 'The one-time token of stream.url.' })) }),
  headers: Type.Object({
    connection: Type.Literal('Upgrade', { description: 'The WebSocket handshake (RFC 6455): any Connection value with the `upgrade` token.' }),
    upgrade: Type.Literal('websocket', { description: 'The WebSocket handshake (RFC 6455).' }),
    'sec-websocket-version': Type.Literal('13', { description: 'The WebSocket handshake (RFC 6455).' }),
    'sec-websocket-key': Type.String({ pattern: '^[A-Za-z0-9+/]{22}==$', description: '16 random bytes in base64 (RFC 6455).' }),
  }),
  response: {
    101: { type: 'null', description: 'Switching Protocols: the WebSocket to the session\'s worker is open.' },
    ...errorResponses('GATEWAY_BAD_REQUEST', 'GATEWAY_SESSION_NOT_FOUND', 'GATEWAY_SESSION_ENDED', 'GATEWAY_UPGRADE_REQUIRED', 'GATEWAY_SESSION_HOST_UNREACHABLE', 'GATEWAY_UNAVAILABLE'),
  },
};

export const GET_USAGE_SCHEMA = {
  operationId: 'getUsage',
  summary: 'What the caller has used: seconds streamed by its realtime sessions',
  response: {
    200: Type.Object({ sessions: Type.Object({ secondsStreamed: Type.Number({ description: 'Seconds of video sent to the caller\'s sessions, all time.' }) }) }),
    ...errorResponses(...AUTHENTICATED_ERRORS),
  },
};
