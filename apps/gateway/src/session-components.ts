import { SESSION_ID_PATTERN_SOURCE } from '@portrait-farm/sessions';
import { Type, type TSchema } from '@sinclair/typebox';

/**
 * The realtime sessions' shared API schemas (the document's components; api-schemas.ts registers them). The session
 * WebSocket itself is served by the worker the session is placed on (docs/realtime.md, "Session protocol").
 */

const ref = (id: string, description: string): TSchema => Type.Unsafe({ $ref: `${id}#`, description });
const nullable = <T extends TSchema>(schema: T): TSchema => Type.Union([schema, Type.Null()]);
const dateTime = (description: string): TSchema => Type.String({ format: 'date-time', description });

/** The stream protocol a session's WebSocket speaks. */
export const SESSION_PROTOCOL = 'portrait-farm-live/1';
/** Frames per second of every session: the model pack's. */
export const SESSION_FPS = 25;
export const SESSION_INPUT_RATES = [16000, 24000] as const;
const SESSION_END_REASONS = ['client', 'idle_timeout', 'max_duration', 'error', 'deleted', 'shutdown', 'not_connected', 'worker_lost'];

export const SessionSchema = Type.Object(
  {
    id: Type.String({ pattern: SESSION_ID_PATTERN_SOURCE }),
    status: Type.Unsafe({ type: 'string', enum: ['waiting', 'streaming', 'ended'], description: 'waiting: placed, its client not connected yet; streaming; ended.' }),
    avatar: Type.String(),
    options: Type.Object({
      inputSampleRate: Type.Integer(),
      latency: Type.String(),
      mode: Type.String(),
      fps: Type.Integer(),
      seed: Type.Integer(),
      controls: Type.Unsafe({ type: 'object', additionalProperties: true, description: 'As sent (a job\'s controls).' }),
      idleTimeoutSeconds: Type.Integer(),
      maxDurationSeconds: Type.Integer(),
      livekit: Type.Optional(
        Type.Object(
          { url: Type.String(), agent_identity: Type.String() },
          { description: 'The LiveKit room it plays in (the avatar\'s token is not shown); absent for a WebSocket session.' },
        ),
      ),
    }),
    createdAt: dateTime('When it was placed.'),
    expiresAt: dateTime('Its client must connect before this, or it ends (not_connected).'),
    startedAt: nullable(dateTime('When its client connected.')),
    endedAt: nullable(dateTime('When it ended.')),
    endReason: nullable(Type.Unsafe({ type: 'string', enum: SESSION_END_REASONS, description: 'Why it ended.' })),
    secondsStreamed: Type.Number({ description: 'Seconds of video sent so far (what is metered).' }),
    urls: Type.Object({ self: Type.String({ format: 'uri', description: 'GET to read it, DELETE to end it.' }) }),
  },
  { $id: 'Session' },
);

export const SessionCreatedSchema = Type.Intersect(
  [
    ref('Session', 'The session.'),
    Type.Object({
      stream: Type.Object(
        {
          url: Type.String({ description: 'ws:// or wss:// URL of the session on its worker, with its one-time token: connect once, before expiresAt.' }),
          protocol: Type.Literal(SESSION_PROTOCOL),
        },
        { description: 'Where to stream: PCM16 in, fMP4 (H.264 + Opus) and JSON messages out (docs/realtime.md).' },
      ),
    }),
  ],
  { $id: 'SessionCreated' },
);

export const SESSION_COMPONENTS: readonly TSchema[] = [SessionSchema, SessionCreatedSchema];

