import { readFileSync } from 'node:fs';
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';

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
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'API key; each key belongs to one tenant.' } } },
      security: [{ bearer: [] }],
    },
    transformObject: (documentObject) => nameWildcards((documentObject as { openapiObject: OpenApiDocument }).openapiObject),
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json['$id'] === 'string' ? json['$id'] : `def-${i}`) },
  };
}

/** The document as committed: two-space JSON and a final newline. */
export function formatDocument(document: object): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
