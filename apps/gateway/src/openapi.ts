import { readFileSync } from 'node:fs';
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { JOB_EVENT_TYPES } from '@portrait-farm/jobs';
import type { JobEventType } from '@portrait-farm/jobs';

type OpenApiDocument = { paths?: Record<string, Record<string, { parameters?: Array<{ in: string; name: string }> }>> };

/** Fastify's wildcard route (/v1/files/*) as a named path parameter, {key}. */
function nameWildcards(document: OpenApiDocument): OpenApiDocument {
  const paths = Object.entries(document.paths ?? {}).map(([path, operations]) => {
    if (!path.endsWith('{*}')) return [path, operations] as const;
    for (const operation of Object.values(operations)) {
      for (const parameter of operation.parameters ?? []) if (parameter.in === 'path' && parameter.name === '*') parameter.name = 'key';
    }
    return [path.replace(/\{\*\}$/, '{key}'), operations] as const;
  });
  return { ...document, paths: Object.fromEntries(paths) };
}

const WEBHOOK_EVENTS: Readonly<Record<JobEventType, string>> = Object.freeze({
  'job.succeeded': 'The video is ready: data.output holds its size, duration, sha256 and a presigned download URL with its expiry (GET /v1/jobs/{id}/result gives a fresh one later).',
  'job.failed': 'The job failed: data.error holds the code and message.',
  'job.canceled': 'The job was canceled (POST /v1/jobs/{id}/cancel).',
  'job.progress': 'Another tenth of the segments is done (one per segment for jobs of up to 10 segments): data.progress.',
});

const signatureHeader = (name: string, description: string): object => ({ name, in: 'header', required: true, schema: { type: 'string' }, description });

/**
 * The events a job's webhook receives (OpenAPI 3.1 `webhooks`): a POST of a WebhookEvent whose data is the Job, as
 * the farm sends it, with the Standard Webhooks headers. The receiver answers 2xx to acknowledge; other answers are
 * retried with backoff, and 410 Gone stops deliveries to that URL.
 */
function webhookDocuments(): Record<string, object> {
  const parameters = [
    signatureHeader('webhook-id', 'The event\'s id (msg_...), the same on every attempt: deduplicate on it.'),
    signatureHeader('webhook-timestamp', 'When this attempt was sent, in Unix seconds.'),
    signatureHeader('webhook-signature', 'Space-separated v1,<base64 HMAC-SHA256 of "id.timestamp.body"> under each of the tenant\'s secrets.'),
  ];
  const entries = JOB_EVENT_TYPES.map((type) => [
    type,
    {
      post: {
        summary: type,
        description: WEBHOOK_EVENTS[type],
        parameters,
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: { allOf: [{ $ref: '#/components/schemas/WebhookEvent' }, { type: 'object', properties: { type: { const: type } } }] } },
          },
        },
        responses: {
          '2XX': { description: 'Received; not sent again.' },
          '410': { description: 'Gone: no more deliveries to this URL for the tenant.' },
          default: { description: 'Sent again later (Retry-After is honoured), until the retry schedule ends.' },
        },
      },
    },
  ]);
  return Object.fromEntries(entries);
}

/** The committed copy of the document the gateway serves at /openapi.json (`npm run openapi` writes it). */
export const OPENAPI_FILE = new URL('../openapi.json', import.meta.url);

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * @fastify/swagger builds the OpenAPI 3.1 document from the routes' schemas; shared schemas (with an $id) become
 * components under their own names.
 */
export function openApiOptions(): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'portrait-farm gateway',
        version: VERSION,
        description:
          'Turns one portrait and one audio track into a talking video. Jobs are asynchronous: create, then poll GET /v1/jobs/{id} or receive a signed webhook (Standard Webhooks). Every error answer is {"error": {"code", "message"}}.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API key; each key belongs to one tenant.' },
          operator: { type: 'http', scheme: 'bearer', description: 'The operator key (PORTRAIT_FARM_OPERATOR_KEY); tenant API keys do not open operator routes.' },
        },
      },
      security: [{ bearer: [] }],
      webhooks: webhookDocuments(),
    },
    transformObject: (documentObject) => nameWildcards((documentObject as { openapiObject: OpenApiDocument }).openapiObject),
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json['$id'] === 'string' ? json['$id'] : `def-${i}`) },
  };
}

/** The document as committed: two-space JSON and a final newline. */
export function formatDocument(document: object): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
