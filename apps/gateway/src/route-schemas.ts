import { Type, type TSchema } from '@sinclair/typebox';
import { ALL_QUEUES } from '@portrait-farm/queue';
import { AUTHENTICATED_ERRORS, AVATAR_ID_PATTERN, CreateAvatarMultipartSchema, CreateJobMultipartSchema, IDEMPOTENCY_KEY_PATTERN, JOB_ID_PATTERN, errorResponses } from './api-schemas.ts';
import { OPERATOR_AUTH_ERRORS } from './operator-auth.ts';

// The Fastify schema of each route: what it validates, what it answers, and what the OpenAPI document says of it.

const ref = (id: string, description: string): object => ({ $ref: `${id}#`, description });
const nullable = <T extends TSchema>(schema: T): TSchema => Type.Union([schema, Type.Null()]);
const jobIdParams = Type.Object({ id: Type.String({ pattern: JOB_ID_PATTERN, description: 'The job\'s id.' }) });
const text = (contentType: string, description: string): object => ({ description, content: { [contentType]: { schema: { type: 'string' } } } });
const redirect = (description: string): object => ({ description, type: 'null', headers: { location: { type: 'string', format: 'uri', description: 'The presigned download.' } } });

export const CREATE_JOB_SCHEMA = {
  operationId: 'createJob',
  summary: 'Create a job',
  description:
    'multipart/form-data with the files `image` and `audio` and the text fields `consent` (required), `options` and `webhook` (JSON) and `priority`, or JSON with https URLs of the inputs. Instead of `image`, `avatar` names a stored avatar (POST /v1/avatars). An `Idempotency-Key` makes a retried create return the same job.',
  headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ pattern: IDEMPOTENCY_KEY_PATTERN, description: '1 to 255 visible ASCII characters.' })) }),
  body: {
    content: {
      'multipart/form-data': { schema: CreateJobMultipartSchema },
      'application/json': { schema: { $ref: 'CreateJobJson#' } },
    },
  },
  response: {
    202: {
      ...ref('JobCreated', 'Accepted, also for an idempotent replay (Idempotent-Replayed: true).'),
      headers: {
        location: { type: 'string', format: 'uri', description: 'The job.' },
        'idempotent-replayed': { type: 'string', enum: ['true', 'false'] },
      },
    },
    ...errorResponses(
      ...AUTHENTICATED_ERRORS, 'GATEWAY_BAD_REQUEST', 'GATEWAY_BAD_MULTIPART', 'GATEWAY_REQUEST_TIMEOUT', 'GATEWAY_IDEMPOTENCY_CONFLICT', 'GATEWAY_UPLOAD_TOO_LARGE', 'GATEWAY_UNSUPPORTED_MEDIA_TYPE',
      'GATEWAY_CONSENT_REQUIRED', 'GATEWAY_BAD_OPTION', 'GATEWAY_BAD_IMAGE', 'GATEWAY_IMAGE_TOO_LARGE', 'GATEWAY_BAD_AUDIO', 'GATEWAY_AUDIO_TOO_SHORT', 'GATEWAY_AUDIO_TOO_LONG', 'GATEWAY_AUDIO_SILENT', 'GATEWAY_INPUT_URL_REFUSED',
      'GATEWAY_WEBHOOK_URL_REFUSED', 'GATEWAY_INPUT_FETCH_FAILED', 'GATEWAY_QUEUE_FULL', 'GATEWAY_AVATAR_NOT_FOUND',
    ),
  },
};

const avatarIdParams = Type.Object({ avatarId: Type.String({ pattern: AVATAR_ID_PATTERN, description: 'The avatar\'s id.' }) });

export const CREATE_AVATAR_SCHEMA = {
  operationId: 'createAvatar',
  summary: 'Store a portrait as a reusable avatar',
  description:
    'multipart/form-data with the file `image` and the text fields `consent` (required) and `face` (JSON: faceIndex or faceBox, as a job\'s options choose the face), or JSON with the https URL of the image. The portrait gets the checks of a job\'s image (format, size, the face the farm would animate) and is stored under the caller until DELETE; jobs and sessions then name it by id. A worker prepares it (face analysis, framing per output mode, the renderer\'s neutral) at its first use and keeps that with it, so later jobs skip the face analysis.',
  body: {
    content: {
      'multipart/form-data': { schema: CreateAvatarMultipartSchema },
      'application/json': { schema: { $ref: 'CreateAvatarJson#' } },
    },
  },
  response: {
    201: { ...ref('Avatar', 'Stored.'), headers: { location: { type: 'string', format: 'uri', description: 'The avatar.' } } },
    ...errorResponses(
      ...AUTHENTICATED_ERRORS, 'GATEWAY_BAD_REQUEST', 'GATEWAY_BAD_MULTIPART', 'GATEWAY_REQUEST_TIMEOUT', 'GATEWAY_UPLOAD_TOO_LARGE', 'GATEWAY_UNSUPPORTED_MEDIA_TYPE',
      'GATEWAY_CONSENT_REQUIRED', 'GATEWAY_BAD_OPTION', 'GATEWAY_BAD_IMAGE', 'GATEWAY_IMAGE_TOO_LARGE', 'GATEWAY_FACE_NOT_FOUND', 'GATEWAY_FACE_AMBIGUOUS',
      'GATEWAY_FACE_INDEX_OUT_OF_RANGE', 'GATEWAY_FACE_TOO_SMALL', 'GATEWAY_INPUT_URL_REFUSED', 'GATEWAY_INPUT_FETCH_FAILED',
    ),
  },
};

export const LIST_AVATARS_SCHEMA = {
  operationId: 'listAvatars',
  summary: 'The caller\'s avatars, oldest first',
  querystring: Type.Object({
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Avatars per page.' })),
    cursor: Type.Optional(Type.String({ pattern: `^(${AVATAR_ID_PATTERN.slice(1, -1)})?$`, description: 'From the previous page\'s nextCursor (an avatar id); empty = the first page.' })),
  }),
  response: { 200: ref('AvatarPage', 'A page of avatars.'), ...errorResponses(...AUTHENTICATED_ERRORS, 'GATEWAY_BAD_OPTION', 'GATEWAY_BAD_REQUEST') },
};

export const GET_AVATAR_SCHEMA = {
  operationId: 'getAvatar',
  summary: 'An avatar: its image, its face and the modes it renders in',
  params: avatarIdParams,
  response: { 200: ref('Avatar', 'The avatar.'), ...errorResponses(...AUTHENTICATED_ERRORS, 'GATEWAY_BAD_REQUEST', 'GATEWAY_AVATAR_NOT_FOUND') },
};

export const DELETE_AVATAR_SCHEMA = {
  operationId: 'deleteAvatar',
  summary: 'Delete an avatar: its record, portrait and prepared sources',
  description:
    'Removes every stored object of the avatar. Jobs made from it are not affected: each holds its own copy of the portrait, and prepares the face itself once the avatar is gone. Avatars have no retention period: they stay until deleted.',
  params: avatarIdParams,
  response: { 204: { description: 'Deleted.', type: 'null' }, ...errorResponses(...AUTHENTICATED_ERRORS, 'GATEWAY_BAD_REQUEST', 'GATEWAY_AVATAR_NOT_FOUND') },
};

export const LIST_JOBS_SCHEMA = {
  operationId: 'listJobs',
  summary: 'The caller\'s jobs, newest first',
  querystring: Type.Object({
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Jobs per page.' })),
    cursor: Type.Optional(Type.String({ pattern: `^(${JOB_ID_PATTERN.slice(1, -1)})?$`, description: 'From the previous page\'s nextCursor (a job id); empty = the first page.' })),
  }),
  response: { 200: ref('JobPage', 'A page of jobs.'), ...errorResponses(...AUTHENTICATED_ERRORS, 'GATEWAY_BAD_OPTION', 'GATEWAY_BAD_REQUEST') },
};

export const GET_JOB_SCHEMA = {
  operationId: 'getJob',
  summary: 'A job\'s status, progress, timings, error and output',
  params: jobIdParams,
  response: { 200: ref('Job', 'The job.'), ...errorResponses(...AUTHENTICATED_ERRORS, 'GATEWAY_BAD_REQUEST', 'GATEWAY_JOB_NOT_FOUND') },
};

export const CANCEL_JOB_SCHEMA = {
  operationId: 'cancelJob',
  summary: 'Cancel a job (idempotent); work stops within seconds',
  params: jobIdParams,
  response: { 200: ref('Job', 'The canceled job.'), ...errorResponses(...AUTHENTICATED_ERRORS, 'GATEWAY_BAD_REQUEST', 'GATEWAY_JOB_NOT_FOUND', 'GATEWAY_JOB_FINISHED') },
};

export const DELETE_JOB_SCHEMA = {
  operationId: 'deleteJob',
  summary: 'Delete a job: its inputs, output and record (canceled first if it still runs)',
  description: 'Removes the portrait, the audio, every chunk and the video from storage, then the record, its webhook attempts and its Idempotency-Key. Finished jobs are also removed after the retention period (PORTRAIT_FARM_RETENTION_DAYS).',
  params: jobIdParams,
  response: { 204: { description: 'Deleted.', type: 'null' }, ...errorResponses(...AUTHENTICATED_ERRORS, 'GATEWAY_BAD_REQUEST', 'GATEWAY_JOB_NOT_FOUND', 'GATEWAY_UNAVAILABLE') },
};

export const LIVE_PLAYLIST_SCHEMA = {
  operationId: 'livePlaylist',
  summary: 'HLS playlist of the chunks (MPEG-TS, with sound) rendered so far',
  description: 'An EVENT playlist that grows while the job renders and ends with #EXT-X-ENDLIST once it is complete; after success it stays valid, pointing at the chunks while players may still read them.',
  params: jobIdParams,
  response: { 200: text('application/vnd.apple.mpegurl', 'HLS media playlist.'), ...errorResponses(...AUTHENTICATED_ERRORS, 'GATEWAY_BAD_REQUEST', 'GATEWAY_JOB_NOT_FOUND') },
};

export const JOB_RESULT_SCHEMA = {
  operationId: 'jobResult',
  summary: 'Redirect to a presigned download of the video',
  params: jobIdParams,
  response: { 302: redirect('Found: Location is the presigned download.'), ...errorResponses(...AUTHENTICATED_ERRORS, 'GATEWAY_BAD_REQUEST', 'GATEWAY_JOB_NOT_FOUND', 'GATEWAY_RESULT_NOT_READY') },
};

const anyObject = (description: string): TSchema => Type.Object({}, { additionalProperties: true, description });

const sha256Hex = (description: string): TSchema => Type.String({ pattern: '^[0-9a-f]{64}$', description });
const manifestInput = (description: string): TSchema =>
  Type.Object({ sha256: sha256Hex('sha256 of the bytes uploaded.'), size: Type.Integer({ minimum: 0 }), contentType: nullable(Type.String()) }, { description });

export const JOB_MANIFEST_SCHEMA = {
  operationId: 'jobManifest',
  summary: 'The signed provenance manifest of a job\'s video (the sidecar JSON)',
  description:
    'The same signed manifest the MP4 carries in its `uuid` box, as stored beside the video (output.manifest.json). Verify the signature over the manifest\'s canonical JSON (object keys sorted at every level) with GET /v1/signing-key, or the whole video with POST /v1/verify. Exists once the job has succeeded on a farm with a signing key.',
  params: jobIdParams,
  response: {
    200: Type.Object(
      {
        manifest: Type.Object(
          {
            format: Type.Literal('portrait-farm-manifest/1'),
            generator: Type.String(),
            jobId: Type.String(),
            tenantId: Type.String(),
            createdAt: Type.String({ format: 'date-time', description: 'When the job was created.' }),
            signedAt: Type.String({ format: 'date-time', description: 'When the manifest was signed.' }),
            inputs: Type.Object({ image: manifestInput('The portrait.'), audio: manifestInput('The audio.') }),
            model: nullable(Type.Object({ pack: Type.String(), version: Type.String() }, { description: 'The model pack that rendered it.' })),
            options: anyObject('The job\'s render options (controls included) as the job record keeps them.'),
            consent: nullable(Type.Object({ attestation: Type.Literal(true), statement: nullable(Type.String()), at: Type.String({ format: 'date-time' }) }, { description: 'The submitter\'s consent attestation.' })),
            label: Type.Boolean({ description: 'Whether the visible "AI-GENERATED" label was drawn on the frames.' }),
            watermark: Type.Object({ payload: Type.String({ pattern: '^[0-9a-f]{16}$', description: 'The invisible watermark\'s 64-bit payload.' }), derivation: Type.String({ description: 'How the payload was derived from the job.' }) }),
            video: Type.Object({ sha256: sha256Hex('sha256 of every byte of the MP4 except the manifest box.'), excludes: Type.String({ description: 'What the hash leaves out.' }) }),
          },
          { description: 'What was signed.' },
        ),
        signature: Type.String({ description: 'Ed25519 over the manifest\'s canonical JSON, base64.' }),
        algorithm: Type.Literal('Ed25519'),
        keyId: Type.String({ description: 'sha256 of the signing key\'s SPKI DER, first 16 hex digits (as GET /v1/signing-key names it).' }),
      },
      { description: 'The signed manifest.' },
    ),
    ...errorResponses(...AUTHENTICATED_ERRORS, 'GATEWAY_BAD_REQUEST', 'GATEWAY_JOB_NOT_FOUND', 'GATEWAY_NO_SIGNING_KEY', 'GATEWAY_MANIFEST_NOT_FOUND', 'GATEWAY_UNAVAILABLE'),
  },
};

export const SIGNING_KEY_SCHEMA = {
  operationId: 'signingKey',
  summary: 'The public key that verifies the provenance manifests of this farm\'s videos',
  description:
    'Every video the farm renders carries a manifest signed with Ed25519 (a top-level MP4 `uuid` box, also stored as output.manifest.json beside it). Verify it with this key: `portrait-farm verify video.mp4 --key key.pem` or POST /v1/verify.',
  security: [],
  response: {
    200: Type.Object(
      {
        algorithm: Type.Literal('Ed25519'),
        keyId: Type.String({ description: 'sha256 of the key\'s SPKI DER, first 16 hex digits (manifests name it).' }),
        publicKeyPem: Type.String({ description: 'SPKI PEM.' }),
      },
      { description: 'The public key.' },
    ),
    ...errorResponses('GATEWAY_NO_SIGNING_KEY'),
  },
};

export const VERIFY_VIDEO_SCHEMA = {
  operationId: 'verifyVideo',
  summary: 'Check a video: its signed provenance manifest and its invisible watermark',
  description:
    'multipart/form-data with the file `video` (an MP4, at most the upload limit). Reports whether a manifest is present, whether its Ed25519 signature is valid with this farm\'s key, whether the file was altered after signing (its hash without the manifest box differs from the signed one), the manifest\'s fields, and the watermark: found or not and its 64-bit payload. A video the farm never signed gives manifest "not found".',
  body: {
    content: {
      'multipart/form-data': {
        schema: Type.Object({ video: Type.String({ contentMediaType: 'application/octet-stream', description: 'The MP4 to check.' }) }, { additionalProperties: false }),
      },
    },
  },
  response: {
    200: Type.Object(
      {
        manifest: Type.Object(
          {
            manifest: Type.Unsafe({ type: 'string', enum: ['found', 'not found', 'malformed'] }),
            signatureValid: nullable(Type.Boolean({ description: 'null: nothing to check, or the farm has no key.' })),
            keyMatches: nullable(Type.Boolean()),
            altered: nullable(Type.Boolean({ description: 'true: the file changed after it was signed.' })),
            videoSha256: nullable(Type.String()),
            keyId: nullable(Type.String()),
            fields: nullable(anyObject('The manifest as read: job, tenant, inputs\' hashes, model pack, options, consent, label, watermark payload, times, the signed video hash.')),
            problem: nullable(Type.String()),
          },
          { additionalProperties: false },
        ),
        watermark: anyObject('checked (false: "not checked (detector not installed)"), status ("found", "not found" or "failed"), payload (16 hex digits), confidence, matchesManifest.'),
        summary: Type.Array(Type.String(), { description: 'One line per finding.' }),
      },
      { description: 'The verification.' },
    ),
    ...errorResponses(...AUTHENTICATED_ERRORS, 'GATEWAY_BAD_REQUEST', 'GATEWAY_BAD_MULTIPART', 'GATEWAY_BAD_VIDEO', 'GATEWAY_REQUEST_TIMEOUT', 'GATEWAY_UPLOAD_TOO_LARGE', 'GATEWAY_UNSUPPORTED_MEDIA_TYPE'),
  },
};

export const PRESIGNED_FILE_SCHEMA = {
  operationId: 'presignedFile',
  summary: 'An object of filesystem storage behind a presigned URL',
  description: 'Honours a single byte range (Range: bytes=a-b) for players that stream.',
  security: [],
  params: Type.Object({ '*': Type.String({ description: 'The object key; may contain /.' }) }),
  querystring: Type.Object({ expires: Type.String(), sig: Type.String() }),
  headers: Type.Object({ range: Type.Optional(Type.String({ description: 'bytes=first-last, bytes=first- or bytes=-suffix.' })) }),
  response: {
    200: { description: 'The object.', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } }, 'video/mp4': { schema: { type: 'string', format: 'binary' } }, 'video/mp2t': { schema: { type: 'string', format: 'binary' } } } },
    206: { description: 'The requested byte range (Content-Range).', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } }, 'video/mp4': { schema: { type: 'string', format: 'binary' } } } },
    ...errorResponses('GATEWAY_BAD_REQUEST', 'GATEWAY_BAD_SIGNATURE', 'GATEWAY_NOT_FOUND', 'GATEWAY_RANGE_NOT_SATISFIABLE', 'GATEWAY_BAD_OPTION', 'GATEWAY_UNAVAILABLE'),
  },
};


/** The process answering (`portrait-farm up` checks it is the gateway it started). */
const PROCESS_HEADER = { 'x-portrait-farm-pid': { type: 'string', pattern: '^[0-9]+$', description: 'Pid of the gateway process that answered.' } };

export const HEALTH_SCHEMA = {
  operationId: 'health',
  summary: 'Liveness',
  security: [],
  response: { 200: Type.Object({ status: Type.Literal('ok') }, { description: 'The process runs.', headers: PROCESS_HEADER }) },
};

export const READY_SCHEMA = {
  operationId: 'ready',
  summary: 'Readiness: Redis and storage reachable',
  security: [],
  response: { 200: { ...ref('Readiness', 'Ready.'), headers: PROCESS_HEADER }, 503: { ...ref('Readiness', 'Not ready: a check failed.'), headers: PROCESS_HEADER } },
};

export const METRICS_SCHEMA = {
  operationId: 'metrics',
  summary: 'Prometheus metrics',
  security: [],
  response: { 200: text('text/plain', 'The text exposition format.') },
};

const queueCounts = Type.Object(
  {
    waiting: Type.Integer({ minimum: 0, description: 'Ready to run, not yet taken: prioritised included, and those a paused queue holds.' }),
    prioritized: Type.Integer({ minimum: 0, description: 'Of waiting, the jobs held in priority order.' }),
    delayed: Type.Integer({ minimum: 0, description: 'Not due yet: scheduled, or backing off before a retry.' }),
    active: Type.Integer({ minimum: 0, description: 'Running.' }),
    paused: Type.Integer({ minimum: 0, description: 'Of waiting, the jobs a paused queue holds back.' }),
    failed: Type.Integer({ minimum: 0, description: 'Failed for good (kept 7 days).' }),
    isPaused: Type.Boolean({ description: 'Whether the queue is paused.' }),
    desired: Type.Integer({ minimum: 0, description: 'active, plus waiting unless the queue is paused.' }),
  },
  { additionalProperties: false },
);

const poolDepth = (description: string): TSchema =>
  Type.Object(
    {
      waiting: Type.Integer({ minimum: 0 }),
      active: Type.Integer({ minimum: 0 }),
      delayed: Type.Integer({ minimum: 0 }),
      total: Type.Integer({ minimum: 0, description: 'Waiting (in unpaused queues) or running: the number to scale the pool on.' }),
    },
    { additionalProperties: false, description },
  );

export const QUEUE_DEPTH_SCHEMA = {
  operationId: 'queueDepth',
  summary: 'Work waiting and running per farm queue and per pool: the autoscaler\'s signal',
  description:
    'Needs the operator key. A KEDA metrics-api trigger reads render.total (valueLocation: render.total): render work (prepare and segment steps) waiting or running, i.e. the worker processes that would be busy. Delayed jobs and the waiting jobs of a paused queue are not counted in it.',
  security: [{ operator: [] }],
  response: {
    200: Type.Object(
      {
        queues: Type.Object(Object.fromEntries(ALL_QUEUES.map((name) => [name, queueCounts])), { additionalProperties: false }),
        render: poolDepth('The worker pool: prepare and segment steps. render.total is the number KEDA reads.'),
        stitch: poolDepth('The stitcher\'s steps: audio and stitch.'),
        webhook: poolDepth('Webhook deliveries (sent by the stitcher).'),
      },
      { additionalProperties: false, description: 'Depths, read from Redis now.' },
    ),
    ...errorResponses(...OPERATOR_AUTH_ERRORS, 'GATEWAY_UNAVAILABLE'),
  },
};

export const OPENAPI_SCHEMA = {
  operationId: 'openapi',
  summary: 'This document',
  security: [],
  response: { 200: Type.Object({}, { additionalProperties: true, description: 'OpenAPI 3.1.' }) },
};

const html = (description: string): object => text('text/html', description);
const seeOther = (description: string): object => ({
  description,
  type: 'null',
  headers: {
    location: { type: 'string', description: '/dashboard' },
    'set-cookie': { type: 'string', description: 'The dashboard session cookie (HttpOnly, SameSite=Strict, Secure when served over https).' },
  },
});

export const DASHBOARD_PAGE_SCHEMA = {
  operationId: 'dashboard',
  summary: 'The ops dashboard (HTML): the page once signed in with the operator key, the sign-in form before',
  description: 'Signed in means the session cookie POST /dashboard/login sets. Without an operator key (PORTRAIT_FARM_OPERATOR_KEY) it answers 404 with a page that says how to set one.',
  security: [],
  response: { 200: html('The dashboard, or the sign-in form.'), 404: html('The farm has no operator key: how to set one.'), ...errorResponses('GATEWAY_UNAVAILABLE') },
};

export const DASHBOARD_LOGIN_SCHEMA = {
  operationId: 'dashboardLogin',
  summary: 'Sign in to the ops dashboard with the operator key (form post)',
  description: 'On the right key: 303 to /dashboard with the session cookie, which the operator routes (/v1/ops/...) take as well as the Bearer key. The request must come from a page of this gateway (Origin); one client address may try 10 times a minute.',
  security: [],
  body: Type.Object({ key: Type.Optional(Type.String({ maxLength: 4096, description: 'The operator key.' })) }),
  response: {
    303: seeOther('Signed in: the session cookie is set.'),
    401: html('The sign-in form again, saying the key is missing or wrong.'),
    404: html('The farm has no operator key: how to set one.'),
    ...errorResponses('GATEWAY_CROSS_ORIGIN', 'GATEWAY_BAD_REQUEST', 'GATEWAY_BAD_OPTION', 'GATEWAY_UNSUPPORTED_MEDIA_TYPE', 'GATEWAY_RATE_LIMITED', 'GATEWAY_UNAVAILABLE'),
  },
};

export const DASHBOARD_LOGOUT_SCHEMA = {
  operationId: 'dashboardLogout',
  summary: 'Sign out of the ops dashboard: the session cookie is cleared',
  security: [],
  response: { 303: seeOther('Signed out: the session cookie is cleared.'), ...errorResponses('GATEWAY_UNSUPPORTED_MEDIA_TYPE') },
};

export const DASHBOARD_ASSET_SCHEMA = {
  operationId: 'dashboardAsset',
  summary: 'A file of the ops dashboard (script, style sheet, icon)',
  security: [],
  params: Type.Object({ name: Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$', description: 'The file\'s name (main.js, dashboard.css, ...).' }) }),
  response: {
    200: {
      description: 'The file.',
      content: Object.fromEntries(['text/javascript', 'text/css', 'text/html', 'image/svg+xml', 'application/json'].map((type) => [type, { schema: { type: 'string' } }])),
    },
    ...errorResponses('GATEWAY_NOT_FOUND', 'GATEWAY_BAD_REQUEST'),
  },
};

export const DEMO_PAGE_SCHEMA = {
  operationId: 'demo',
  summary: 'The realtime demo page (HTML): pick or upload an avatar, start a session, speak or send audio, watch it stream with its latency',
  description: 'A public page: it calls this API with the tenant API key the visitor enters (kept in the tab only), and plays the session stream from the worker through Media Source Extensions.',
  security: [],
  response: { 200: html('The demo page.'), ...errorResponses('GATEWAY_UNAVAILABLE') },
};

export const DEMO_ASSET_SCHEMA = {
  operationId: 'demoAsset',
  summary: 'A file of the realtime demo page (script, style sheet)',
  security: [],
  params: Type.Object({ name: Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$', description: "The file's name (main.js, demo.css, ...)." }) }),
  response: {
    200: {
      description: 'The file.',
      content: Object.fromEntries(['text/javascript', 'text/css', 'text/html', 'image/svg+xml', 'application/json'].map((type) => [type, { schema: { type: 'string' } }])),
    },
    ...errorResponses('GATEWAY_NOT_FOUND', 'GATEWAY_BAD_REQUEST'),
  },
};

// The operator API: the ops dashboard's data and actions. Every route needs the operator key (Bearer, or the
// dashboard's session cookie; a POST by cookie also an Origin of this gateway).

const OPERATOR = [{ operator: [] }];
// Short lower-case names: any other name is 404; one past Fastify's 100 bytes of path parameter is 400 (GATEWAY_BAD_REQUEST).
const queueNameParams = Type.Object({ name: Type.String({ pattern: '^[a-z]{1,32}$', description: 'prepare, segment, audio, stitch, webhook or cleanup.' }) });

export const OPS_OVERVIEW_SCHEMA = {
  operationId: 'opsOverview',
  summary: 'The farm at a glance: queues, workers, the last hour\'s throughput',
  security: OPERATOR,
  response: { 200: ref('OpsOverview', 'The overview, read now.'), ...errorResponses(...OPERATOR_AUTH_ERRORS, 'GATEWAY_UNAVAILABLE') },
};

export const OPS_JOBS_SCHEMA = {
  operationId: 'opsJobs',
  summary: 'Every tenant\'s jobs, newest first, optionally of one status',
  security: OPERATOR,
  querystring: Type.Object({
    status: Type.Optional(Type.Unsafe({ type: 'string', enum: ['queued', 'running', 'succeeded', 'failed', 'canceled'], description: 'running: preparing, rendering or stitching.' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'Jobs per page.' })),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'The previous page\'s `next` (opaque); empty = the first page.' })),
  }),
  response: {
    200: Type.Object(
      { jobs: Type.Array(Type.Unsafe({ $ref: 'OpsJob#' })), next: nullable(Type.String({ description: 'Pass as `cursor` for the next page; null on the last.' })) },
      { additionalProperties: false, description: 'A page of jobs.' },
    ),
    ...errorResponses(...OPERATOR_AUTH_ERRORS, 'GATEWAY_BAD_OPTION', 'GATEWAY_BAD_REQUEST', 'GATEWAY_UNAVAILABLE'),
  },
};

export const OPS_TIMELINE_SCHEMA = {
  operationId: 'opsJobTimeline',
  summary: 'A job\'s timeline: prepare, each segment with the worker that ran it, stitch',
  security: OPERATOR,
  params: jobIdParams,
  response: { 200: ref('OpsTimeline', 'The timeline.'), ...errorResponses(...OPERATOR_AUTH_ERRORS, 'GATEWAY_BAD_REQUEST', 'GATEWAY_JOB_NOT_FOUND', 'GATEWAY_UNAVAILABLE') },
};

export const OPS_CANCEL_SCHEMA = {
  operationId: 'opsCancelJob',
  summary: 'Cancel any tenant\'s job (idempotent); work stops within seconds',
  security: OPERATOR,
  params: jobIdParams,
  response: { 202: ref('OpsJob', 'Canceled (or already canceled).'), ...errorResponses(...OPERATOR_AUTH_ERRORS, 'GATEWAY_BAD_REQUEST', 'GATEWAY_JOB_NOT_FOUND', 'GATEWAY_JOB_FINISHED', 'GATEWAY_UNAVAILABLE') },
};

export const OPS_RETRY_SCHEMA = {
  operationId: 'opsRetryJob',
  summary: 'Run a failed or canceled job again, as a new job linked to it',
  description:
    'The new job (retryOf: the old id) has copies of the inputs and the same tenant, options, webhook, consent and priority; it does not count against the tenant\'s active-job limit. The old job and its timeline stay as they were. A new id because a job\'s queue steps have fixed ids BullMQ keeps for a while after they end.',
  security: OPERATOR,
  params: jobIdParams,
  response: { 202: ref('OpsJob', 'The new job, queued.'), ...errorResponses(...OPERATOR_AUTH_ERRORS, 'GATEWAY_BAD_REQUEST', 'GATEWAY_JOB_NOT_FOUND', 'GATEWAY_JOB_NOT_RETRYABLE', 'GATEWAY_UNAVAILABLE') },
};

const queueAction = (operationId: string, summary: string): object => ({
  operationId,
  summary,
  security: OPERATOR,
  params: queueNameParams,
  response: { 204: { description: 'Done.', type: 'null' }, ...errorResponses(...OPERATOR_AUTH_ERRORS, 'GATEWAY_QUEUE_NOT_FOUND', 'GATEWAY_NOT_FOUND', 'GATEWAY_BAD_REQUEST', 'GATEWAY_UNAVAILABLE') },
});

export const OPS_PAUSE_QUEUE_SCHEMA = queueAction('opsPauseQueue', 'Pause a farm queue: no worker takes its jobs; running ones finish');
export const OPS_RESUME_QUEUE_SCHEMA = queueAction('opsResumeQueue', 'Resume a paused farm queue');

export const OPS_EVENTS_SCHEMA = {
  operationId: 'opsEvents',
  summary: 'Live updates as server-sent events',
  description:
    '`event: overview` with the OpsOverview JSON every 2 s (the first at once), `event: job` with an OpsJob whenever a job is created (a retry too) or changes status (cancel too) or progress, `event: job-deleted` with `{"id": ...}` once a job is deleted, and a `: heartbeat` comment every 15 s. The stream ends when the gateway shuts down, and is dropped when its client leaves more than 1 MiB unread (reconnect, as EventSource does).',
  security: OPERATOR,
  response: { 200: text('text/event-stream', 'The event stream.'), ...errorResponses(...OPERATOR_AUTH_ERRORS) },
};
