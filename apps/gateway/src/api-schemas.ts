import { AVATAR_ID_PATTERN_SOURCE } from '@portrait-farm/avatars';
import { FaceBoxSchema, JobOptionsSchema, OUTPUT_MODES, RENDER_OPTION_RANGES } from '@portrait-farm/contracts';
import { JOB_EVENT_TYPES, JOB_ID_PATTERN_SOURCE, JOB_STATUSES } from '@portrait-farm/jobs';
import { Type, type TSchema } from '@sinclair/typebox';
import { GATEWAY_ERRORS, type GatewayErrorCode } from './errors.ts';
import { SESSION_COMPONENTS } from './session-components.ts';

/**
 * The HTTP API's schemas. Routes validate requests and serialise responses with them, and the OpenAPI document is
 * generated from the routes (@fastify/swagger), so the document, the checks and the answers cannot drift apart.
 * Shared schemas carry an $id and become the document's components.
 */

const ref = (id: string): TSchema => Type.Unsafe({ $ref: `${id}#` });
const nullable = <T extends TSchema>(schema: T): TSchema => Type.Union([schema, Type.Null()]);
const uri = (description: string): TSchema => Type.String({ format: 'uri', description });
const dateTime = (description: string): TSchema => Type.String({ format: 'date-time', description });

export const PRIORITY = Object.freeze({ min: 1, max: 10, default: 5 });

export const JOB_ID_PATTERN = JOB_ID_PATTERN_SOURCE;
export const AVATAR_ID_PATTERN = AVATAR_ID_PATTERN_SOURCE;
/** An Idempotency-Key: 1 to 255 visible ASCII characters. */
export const IDEMPOTENCY_KEY_PATTERN = '^[\\x21-\\x7e]{1,255}$';

export const ErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.Unsafe<GatewayErrorCode>({ type: 'string', enum: Object.keys(GATEWAY_ERRORS) }),
      message: Type.String({ description: 'What went wrong and, for a bad value, what is accepted and what was received.' }),
    }),
  },
  { $id: 'Error', description: 'Every error answer, the framework\'s included.' },
);

export const JobOptionsComponent = Type.Unsafe({ ...JobOptionsSchema, $id: 'JobOptions' });

export const WebhookSchema = Type.Object(
  {
    url: Type.String({ format: 'uri', description: 'https URL (http only where the gateway allows it) without credentials.' }),
    events: Type.Optional(
      Type.Array(Type.Unsafe({ type: 'string', enum: [...JOB_EVENT_TYPES] }), {
        minItems: 1,
        default: ['job.succeeded', 'job.failed', 'job.canceled'],
        description: 'Events to deliver. job.progress comes each time another tenth of the segments is done (one per segment for jobs of up to 10 segments).',
      }),
    ),
  },
  { $id: 'Webhook', additionalProperties: false, description: 'Where to send signed job events (Standard Webhooks).' },
);

export const PrioritySchema = Type.Integer({ minimum: PRIORITY.min, maximum: PRIORITY.max, default: PRIORITY.default, description: '1 (lowest) to 10 (highest).' });

/** Longest consent statement, in characters. */
export const CONSENT_STATEMENT_MAX = 500;

export const ConsentSchema = Type.Object(
  {
    attestation: Type.Literal(true, {
      description: 'true: the submitter affirms having the right to animate this portrait (the consent of the person shown, or the rights to the image) and to use the voice.',
    }),
    statement: Type.Optional(Type.String({ maxLength: CONSENT_STATEMENT_MAX, description: 'The submitter\'s own words (for example whose consent and how it was obtained).' })),
  },
  {
    $id: 'Consent',
    additionalProperties: false,
    description:
      'Required with every job (a missing or false attestation is answered 422 GATEWAY_CONSENT_REQUIRED). Stored with the job, shown in its view and signed into the video\'s provenance manifest.',
  },
);

const avatarId = (description: string): TSchema => Type.String({ pattern: AVATAR_ID_PATTERN, description });
const JOB_AVATAR_DESCRIPTION =
  'Instead of `image`: the id of one of the caller\'s avatars (POST /v1/avatars). The job renders exactly as with the avatar\'s portrait and face choice (options.faceIndex and options.faceBox are refused), copies the portrait to its own inputs, and skips the face analysis once the avatar was prepared for the mode.';
/** A create sends its portrait one way: `image` or `avatar`. */
const IMAGE_OR_AVATAR = { oneOf: [{ required: ['image'] }, { required: ['avatar'] }] };

export const CreateJobJsonSchema = Type.Object(
  {
    image: Type.Optional(uri('https URL of the portrait (JPEG, PNG or WebP); or send `avatar`.')),
    avatar: Type.Optional(avatarId(JOB_AVATAR_DESCRIPTION)),
    audio: uri('https URL of the audio (any format ffmpeg reads).'),
    consent: ref('Consent'),
    options: Type.Optional(ref('JobOptions')),
    webhook: Type.Optional(ref('Webhook')),
    priority: Type.Optional(PrioritySchema),
  },
  { $id: 'CreateJobJson', additionalProperties: false, ...IMAGE_OR_AVATAR },
);

export const CreateJobMultipartSchema = Type.Object(
  {
    image: Type.Optional(Type.String({ contentMediaType: 'application/octet-stream', description: 'The portrait: JPEG, PNG or WebP; or send `avatar`.' })),
    avatar: Type.Optional(avatarId(JOB_AVATAR_DESCRIPTION)),
    audio: Type.String({ contentMediaType: 'application/octet-stream', description: 'The audio: any format ffmpeg reads.' }),
    // Object-typed parts are sent as application/json text (OpenAPI 3.1's default encoding for an object property).
    consent: ref('Consent'),
    options: Type.Optional(ref('JobOptions')),
    webhook: Type.Optional(ref('Webhook')),
    priority: Type.Optional(Type.String({ pattern: '^([1-9]|10)?$', description: '1 (lowest) to 10 (highest); empty = 5.' })),
  },
  { additionalProperties: false, ...IMAGE_OR_AVATAR },
);

/** How an avatar's face is chosen: the job options of the same names. */
export const AvatarFaceChoiceSchema = Type.Object(
  {
    faceIndex: Type.Optional(Type.Integer({ minimum: RENDER_OPTION_RANGES.faceIndex.min, maximum: RENDER_OPTION_RANGES.faceIndex.max, description: 'Which detected face, counted from the largest (0). Default: 0, unless faceBox is given.' })),
    faceBox: Type.Optional(FaceBoxSchema),
  },
  {
    $id: 'AvatarFaceChoice',
    additionalProperties: false,
    description: 'Which face of the portrait the avatar animates, as a job\'s options.faceIndex / options.faceBox choose it.',
    not: { type: 'object', required: ['faceIndex', 'faceBox'], description: 'faceIndex and faceBox choose the face in two ways: pass one.' },
  },
);

export const CreateAvatarJsonSchema = Type.Object(
  {
    image: uri('https URL of the portrait (JPEG, PNG or WebP).'),
    consent: ref('Consent'),
    face: Type.Optional(ref('AvatarFaceChoice')),
  },
  { $id: 'CreateAvatarJson', additionalProperties: false },
);

export const CreateAvatarMultipartSchema = Type.Object(
  {
    image: Type.String({ contentMediaType: 'application/octet-stream', description: 'The portrait: JPEG, PNG or WebP.' }),
    consent: ref('Consent'),
    face: Type.Optional(ref('AvatarFaceChoice')),
  },
  { additionalProperties: false },
);

const faceBoxOf = (description: string): TSchema =>
  nullable(Type.Object({ x: Type.Integer(), y: Type.Integer(), width: Type.Integer(), height: Type.Integer() }, { additionalProperties: false, description }));

export const AvatarSchema = Type.Object(
  {
    id: avatarId('The avatar\'s id: pass it as a job\'s `avatar`.'),
    createdAt: dateTime('When the gateway stored it.'),
    image: Type.Object(
      {
        width: Type.Integer({ description: 'Pixels, EXIF orientation applied.' }),
        height: Type.Integer(),
        format: Type.String({ description: 'jpeg, png or webp.' }),
        size: Type.Integer({ description: 'Bytes.' }),
        sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
      },
      { description: 'The portrait as uploaded.' },
    ),
    face: Type.Object(
      {
        box: faceBoxOf('The face the farm animates, in image pixels (null where the gateway checks no faces).'),
        faceIndex: nullable(Type.Integer({ description: 'The face chosen by index at create, or null.' })),
        faceBox: faceBoxOf('The face box given at create, or null.'),
      },
      { description: 'The face and how it was chosen.' },
    ),
    modes: Type.Array(Type.Unsafe({ type: 'string', enum: [...OUTPUT_MODES] }), { description: 'The output modes jobs and sessions can render it in (options.mode).' }),
    consent: Type.Object({ attestation: Type.Boolean(), statement: nullable(Type.String()), at: dateTime('When the gateway received it.') }, { description: 'The consent attestation sent with the avatar.' }),
    urls: Type.Object({ self: uri('This avatar: GET to read it, DELETE to delete it.') }),
  },
  { $id: 'Avatar', description: 'A prepared portrait that jobs (and realtime sessions) reuse by id.' },
);

export const AvatarPageSchema = Type.Object(
  {
    avatars: Type.Array(ref('Avatar')),
    nextCursor: nullable(Type.String({ description: 'Pass as `cursor` for the next page.' })),
    next: nullable(uri('The next page, or null on the last.')),
  },
  { $id: 'AvatarPage' },
);

export const JobUrlsSchema = Type.Object(
  {
    self: uri('This job.'),
    cancel: uri('POST to cancel it.'),
    result: uri('Redirects to the video once the job has succeeded.'),
    live: uri('HLS playlist of the chunks rendered so far.'),
    manifest: uri('The signed provenance manifest (JSON) once the job has succeeded on a farm with a signing key.'),
  },
  { $id: 'JobUrls' },
);

export const StatusSchema = Type.Unsafe({ type: 'string', enum: [...JOB_STATUSES], $id: 'Status' });

const QUEUE_POSITION_DESCRIPTION =
  'Its place among the tenant\'s jobs waiting for a free place (1 = next), while the tenant already runs as many jobs as ' +
  'PORTRAIT_FARM_MAX_CONCURRENT_JOBS allows; null once the job is in the farm\'s queues or has started.';

const queuePosition = (): TSchema => nullable(Type.Integer({ minimum: 1, description: QUEUE_POSITION_DESCRIPTION }));

export const JobCreatedSchema = Type.Object(
  { id: Type.String({ pattern: JOB_ID_PATTERN }), status: ref('Status'), queuePosition: queuePosition(), urls: ref('JobUrls') },
  { $id: 'JobCreated' },
);

export const JobSummarySchema = Type.Object(
  { id: Type.String({ pattern: JOB_ID_PATTERN }), status: ref('Status'), createdAt: dateTime('When the gateway accepted it.'), urls: ref('JobUrls') },
  { $id: 'JobSummary' },
);

export const JobPageSchema = Type.Object(
  {
    jobs: Type.Array(ref('JobSummary')),
    nextCursor: nullable(Type.String({ description: 'Pass as `cursor` for the next page.' })),
    next: nullable(uri('The next page, or null on the last.')),
  },
  { $id: 'JobPage' },
);

const seconds = (description: string): TSchema => nullable(Type.Number({ description }));

export const JobSchema = Type.Object(
  {
    id: Type.String({ pattern: JOB_ID_PATTERN }),
    status: ref('Status'),
    createdAt: dateTime('When the gateway accepted it.'),
    updatedAt: dateTime('Its last change.'),
    finishedAt: nullable(dateTime('When it succeeded, failed or was canceled.')),
    priority: PrioritySchema,
    options: ref('JobOptions'),
    consent: nullable(
      Type.Object(
        { attestation: Type.Boolean(), statement: nullable(Type.String()), at: dateTime('When the gateway received it.') },
        { description: 'The consent attestation sent with the job (null only for jobs created before it was required).' },
      ),
    ),
    queuePosition: Type.Optional(queuePosition()),
    progress: Type.Object({ segmentsDone: Type.Integer(), segmentsTotal: Type.Integer(), framesDone: Type.Integer(), framesTotal: Type.Integer() }),
    timings: Type.Object(
      {
        queuedSeconds: seconds('Waiting for a worker.'),
        preparingSeconds: seconds('Face analysis, audio features and the motion plan.'),
        renderingSeconds: seconds('Rendering the segments.'),
        stitchingSeconds: seconds('Joining the chunks and the audio.'),
        totalSeconds: seconds('From accepted to finished.'),
        work: Type.Record(Type.String(), Type.Number(), { description: 'Seconds of work by kind (denoise, render, encode), summed over segments.' }),
      },
      { description: 'Seconds per stage, null until the job has left it.' },
    ),
    error: nullable(Type.Object({ code: Type.String(), message: Type.String() })),
    output: nullable(
      Type.Object({
        size: Type.Integer({ description: 'Bytes.' }),
        durationSeconds: Type.Number(),
        sha256: Type.String(),
        url: uri('Presigned download.'),
        expiresAt: dateTime('When the download URL expires.'),
      }),
    ),
    input: Type.Object({
      image: Type.Object({ width: Type.Integer(), height: Type.Integer(), format: Type.String(), size: Type.Integer() }),
      audio: Type.Object({ durationSeconds: Type.Number(), size: Type.Integer() }),
      avatar: nullable(avatarId('The avatar the job was made from, or null.')),
    }),
    webhook: Type.Optional(
      nullable(
        Type.Object(
          {
            url: uri('Where the events go.'),
            events: Type.Array(Type.String()),
            deliveries: Type.Array(
              Type.Object({
                event: Type.String(),
                attempt: Type.Integer({ description: '1 for the first try of an event.' }),
                at: dateTime('When the attempt ended.'),
                ok: Type.Boolean(),
                status: nullable(Type.Integer({ description: 'The HTTP status the endpoint answered.' })),
                errorCode: nullable(Type.String({ description: 'WEBHOOK_* code of a failed attempt.' })),
                message: nullable(Type.String()),
                nextAttemptAt: nullable(dateTime('When the next attempt is due.')),
              }),
              { description: 'The last delivery attempts, oldest first.' },
            ),
          },
          { description: 'GET /v1/jobs/{id} only (webhooks do not carry it): the webhook and how its last deliveries went.' },
        ),
      ),
    ),
    urls: ref('JobUrls'),
  },
  { $id: 'Job' },
);

export const WebhookEventSchema = Type.Object(
  {
    type: Type.Unsafe({ type: 'string', enum: [...JOB_EVENT_TYPES], description: 'What happened.' }),
    timestamp: dateTime('When it happened (the same on every delivery attempt; webhook-timestamp is when this one was sent).'),
    data: Type.Unsafe({ $ref: 'Job#', description: 'The job as GET /v1/jobs/{id} answers it at the time of the attempt.' }),
  },
  {
    $id: 'WebhookEvent',
    description:
      'The body of every webhook (Standard Webhooks): signed with the tenant\'s secret in webhook-signature, over "webhook-id.webhook-timestamp.body". The same webhook-id on every attempt of one event.',
  },
);

export const ReadinessSchema = Type.Object(
  {
    status: Type.Unsafe({ type: 'string', enum: ['ready', 'unavailable'] }),
    checks: Type.Object({ redis: Type.String(), storage: Type.String() }, { description: '"ok", or "failed: " and the reason.' }),
  },
  { $id: 'Readiness' },
);

// The operator API (/v1/ops): every tenant's jobs, the farm's queues and workers (@portrait-farm/ops).

export const OpsJobSchema = Type.Object(
  {
    id: Type.String({ pattern: JOB_ID_PATTERN }),
    tenant: Type.String(),
    status: ref('Status'),
    progress: Type.Number({ minimum: 0, maximum: 1, description: 'Frames rendered of the plan\'s; 1 once succeeded.' }),
    createdAt: dateTime('When the gateway accepted it.'),
    updatedAt: dateTime('Its last change.'),
    error: nullable(Type.Object({ code: Type.String(), message: Type.String() })),
    retryOf: nullable(Type.String({ pattern: JOB_ID_PATTERN, description: 'The failed or canceled job an operator retried as this one.' })),
  },
  { $id: 'OpsJob', additionalProperties: false, description: 'A job as the operator\'s jobs list shows it.' },
);

const count = (description?: string): TSchema => Type.Integer({ minimum: 0, ...(description === undefined ? {} : { description }) });
const stage = (description: string): TSchema => Type.Unsafe({ type: 'string', enum: ['prepare', 'segment', 'stitch'], description });

const farmProcess = Type.Object(
  {
    id: Type.String({ description: '{role}-{host}-{pid}, as the timelines name it.' }),
    role: Type.Unsafe({ type: 'string', enum: ['worker', 'stitcher'] }),
    host: Type.String(),
    pid: Type.Integer(),
    provider: Type.String({ description: 'The execution provider its engine runs on; "none" for a stitcher.' }),
    state: Type.Unsafe({ type: 'string', enum: ['idle', 'preparing', 'rendering', 'stitching'], description: 'From the newest stage it runs: prepare, a segment, stitch.' }),
    stage: nullable(stage('The stage it runs (the newest when several).')),
    jobId: nullable(Type.String({ pattern: JOB_ID_PATTERN, description: 'The job of that stage.' })),
    segment: nullable(Type.Object({ jobId: Type.String({ pattern: JOB_ID_PATTERN }), index: count(), count: count('The job\'s segments.') }, { additionalProperties: false })),
    framesPerSecond: nullable(Type.Number({ description: 'Of its last finished segment.' })),
    lastHeartbeatAt: dateTime('Its last heartbeat (every 5 s).'),
    alive: Type.Boolean({ description: 'Its last heartbeat is younger than 15 s; a process silent for 60 s is no longer listed.' }),
  },
  { additionalProperties: false },
);

export const OpsOverviewSchema = Type.Object(
  {
    queues: Type.Array(
      Type.Object(
        {
          name: Type.String(),
          waiting: count('Ready to run, not yet taken (prioritized included; held while paused).'),
          prioritized: count('Of waiting, the jobs held in priority order.'),
          delayed: count(),
          active: count(),
          failed: count(),
          paused: Type.Boolean({ description: 'Paused: no worker takes its jobs.' }),
        },
        { additionalProperties: false },
      ),
      { description: 'Every farm queue, in pipeline order.' },
    ),
    workers: Type.Array(farmProcess, { description: 'The worker processes (prepare, segments).' }),
    stitchers: Type.Array(farmProcess, { description: 'The stitcher processes (audio, stitch, webhooks).' }),
    throughput: Type.Array(
      Type.Object(
        { minute: dateTime('The minute\'s start.'), succeeded: count(), failed: count(), frames: count('Frames rendered.') },
        { additionalProperties: false },
      ),
      { description: 'One row per minute of the last 60, oldest first.' },
    ),
  },
  { $id: 'OpsOverview', additionalProperties: false },
);

export const OpsTimelineSchema = Type.Object(
  {
    id: Type.String({ pattern: JOB_ID_PATTERN }),
    status: ref('Status'),
    events: Type.Array(
      Type.Object(
        {
          stage: stage('prepare once, each segment, stitch once.'),
          index: nullable(count('The segment\'s index.')),
          worker: nullable(Type.String({ description: 'The process that ran it (worker-... or stitcher-...).' })),
          startedAt: dateTime('When its latest run started.'),
          endedAt: nullable(dateTime('When it ended; null while it runs.')),
          frames: nullable(count('Frames the segment rendered.')),
          status: Type.Unsafe({ type: 'string', enum: ['running', 'done', 'failed'] }),
          error: nullable(Type.String({ description: 'Why it failed: an error code, or "canceled".' })),
        },
        { additionalProperties: false },
      ),
      { description: 'In pipeline order; a retried stage shows its latest run.' },
    ),
  },
  { $id: 'OpsTimeline', additionalProperties: false },
);

/** The shared schemas, registered with the app (the document's components). */
export const SHARED_SCHEMAS: readonly TSchema[] = [
  ErrorSchema, JobOptionsComponent, WebhookSchema, ConsentSchema, CreateJobJsonSchema, JobUrlsSchema, StatusSchema, JobCreatedSchema,
  JobSummarySchema, JobPageSchema, JobSchema, WebhookEventSchema, ReadinessSchema, OpsJobSchema, OpsOverviewSchema, OpsTimelineSchema,
  AvatarFaceChoiceSchema, CreateAvatarJsonSchema, AvatarSchema, AvatarPageSchema, ...SESSION_COMPONENTS,
];

/**
 * The error answers a route can give, grouped by status, each described by its codes from the catalogue: every
 * route documents what it may answer.
 */
export function errorResponses(...codes: GatewayErrorCode[]): Record<string, TSchema> {
  const byStatus = new Map<number, GatewayErrorCode[]>();
  for (const code of new Set<GatewayErrorCode>([...codes, 'GATEWAY_INTERNAL'])) {
    const status = GATEWAY_ERRORS[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries([...byStatus].map(([status, list]) => [String(status), Type.Unsafe({ $ref: 'Error#', description: list.join(', ') })]));
}

/** What every authenticated route may answer besides its own errors. */
export const AUTHENTICATED_ERRORS: readonly GatewayErrorCode[] = ['GATEWAY_UNAUTHORIZED', 'GATEWAY_RATE_LIMITED', 'GATEWAY_UNAVAILABLE'];

