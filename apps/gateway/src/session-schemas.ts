import { SESSION_ID_PATTERN_SOURCE } from '@portrait-farm/sessions';
import { Type, type TSchema } from '@sinclair/typebox';
import { AUTHENTICATED_ERRORS, errorResponses } from './api-schemas.ts';

/** The realtime sessions' routes (POST/GET/DELETE /v1/sessions, GET /v1/usage); their components are in session-components.ts. */

const ref = (id: string, description: string): TSchema => Type.Unsafe({ $ref: `${id}#`, description });

const sessionIdParams = Type.Object({ sessionId: Type.String({ pattern: SESSION_ID_PATTERN_SOURCE, description: 'The session\'s id.' }) });

export const CREATE_SESSION_SCHEMA = {
  operationId: 'createSession',
  summary: 'Start a realtime session on a worker with room',
  description:
    'Places the session on a worker with a free session slot and returns its stream URL with a one-time token. When every worker is full: 503 GATEWAY_NO_SESSION_CAPACITY with Retry-After (seconds until the soonest slot can free up).',
  body: ref('CreateSession', 'The avatar and the session\'s options.'),
  response: {
    201: { ...ref('SessionCreated', 'Placed.'), headers: { location: { type: 'string', format: 'uri', description: 'The session.' } } },
    ...errorResponses(...AUTHENTICATED_ERRORS, 'GATEWAY_BAD_REQUEST', 'GATEWAY_UNSUPPORTED_MEDIA_TYPE', 'GATEWAY_BAD_OPTION', 'GATEWAY_AVATAR_NOT_FOUND', 'GATEWAY_NO_SESSION_CAPACITY'),
  },
};

export const GET_SESSION_SCHEMA = {
  operationId: 'getSession',
  summary: 'A session\'s status, end reason and seconds streamed',
  params: sessionIdParams,
  response: { 200: ref('Session', 'The session.'), ...errorResponses(...AUTHENTICATED_ERRORS, 'GATEWAY_SESSION_NOT_FOUND') },
};

export const DELETE_SESSION_SCHEMA = {
  operationId: 'deleteSession',
  summary: 'End a session',
  description: 'A waiting session ends at once; a streaming one is ended by its worker, which sends its client `closed` and closes the socket. Answers the session as it is now (an ended one as it ended).',
  params: sessionIdParams,
  response: { 200: ref('Session', 'The session.'), ...errorResponses(...AUTHENTICATED_ERRORS, 'GATEWAY_SESSION_NOT_FOUND') },
};

export const GET_USAGE_SCHEMA = {
  operationId: 'getUsage',
  summary: 'What the caller has used: seconds streamed by its realtime sessions',
  response: {
    200: Type.Object({ sessions: Type.Object({ secondsStreamed: Type.Number({ description: 'Seconds of video sent to the caller\'s sessions, all time.' }) }) }),
    ...errorResponses(...AUTHENTICATED_ERRORS),
  },
};
