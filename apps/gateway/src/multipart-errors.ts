import { GatewayError } from './errors.ts';

// The multipart parser's (busboy's) own errors, said in terms of the request the client sent.

/**
 * The parser's limits on a create request: one more part of each kind than a valid request has (files image and
 * audio; text fields consent, options, webhook, priority and avatar, which replaces the image: 6 parts at most), so
 * that the extra part reaches readMultipart, which names it (a duplicate, an unknown name, a text field sent as a
 * file) instead of the parser refusing a count.
 */
export const MULTIPART_LIMITS = Object.freeze({ files: 3, fields: 6, parts: 7, fieldSize: 64 * 1024 });

/** The boundary named by a multipart Content-Type, or null. */
function boundaryOf(contentType: string | undefined): string | null {
  const match = /;\s*boundary=(?:"([^"]*)"|([^;\s]*))/i.exec(contentType ?? '');
  const boundary = match?.[1] ?? match?.[2] ?? '';
  return boundary === '' ? null : boundary;
}

/**
 * GATEWAY_BAD_MULTIPART for an error of the multipart parser (no boundary, a body that ends before its closing
 * boundary or whose parts use another one, a part cut short, a malformed part header), else null.
 */
export function multipartProblem(error: unknown, contentType: string | undefined): GatewayError | null {
  const message = error instanceof Error ? error.message : '';
  const boundary = boundaryOf(contentType);
  if (/^Multipart: Boundary not found/i.test(message)) {
    return new GatewayError(
      'GATEWAY_BAD_MULTIPART',
      `The multipart body cannot be read: Content-Type names no boundary (multipart/form-data; boundary=...). Received: ${JSON.stringify(contentType ?? '')}`,
    );
  }
  if (/unexpected end of multipart data|terminated early/i.test(message)) {
    return new GatewayError(
      'GATEWAY_BAD_MULTIPART',
      boundary === null
        ? 'The multipart body ends before its closing boundary: it was cut short, or its parts are not delimited by the boundary Content-Type names.'
        : `The multipart body ends before its closing boundary "--${boundary}--": it was cut short, or its parts are not delimited by the boundary Content-Type names (${JSON.stringify(boundary)}).`,
    );
  }
  if (/malformed part header/i.test(message)) {
    return new GatewayError('GATEWAY_BAD_MULTIPART', 'The multipart body cannot be read: a part has a malformed header (each needs Content-Disposition: form-data; name="...").');
  }
  return null;
}

/** The parts a multipart create takes, by name. */
export interface ExpectedParts {
  files: readonly string[];
  fields: readonly string[];
}

const JOB_CREATE_PARTS: ExpectedParts = { files: ['image', 'audio'], fields: ['consent', 'options', 'webhook', 'priority', 'avatar'] };

const and = (names: readonly string[]): string => (names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`);

/** A create request's parts, as its error messages list them. */
function expectedParts(parts: ExpectedParts): string {
  return `the file${parts.files.length === 1 ? '' : 's'} ${and(parts.files)} and the text fields ${and(parts.fields)}, each at most once`;
}

/** The multipart parser's count limit reached. */
export function tooManyParts(parts: ExpectedParts = JOB_CREATE_PARTS): string {
  return `The multipart body has too many parts: a create request takes ${expectedParts(parts)}.`;
}

/** Why a file part the create does not take is refused: a text field sent as a file (curl's -F name=@file) is said so. */
export function unexpectedFileMessage(name: string, parts: ExpectedParts = JOB_CREATE_PARTS): string {
  if (parts.fields.includes(name)) {
    const example = name === 'priority' ? 'priority.txt' : name === 'avatar' ? 'avatar-id.txt' : `${name}.json`;
    return `${name} must be a text field, not a file: curl -F '${name}=<${example}' sends a file's content as text (-F ${name}=@... uploads it as a file).`;
  }
  return `Unknown file field ${JSON.stringify(name)}; a create request takes ${expectedParts(parts)}.`;
}
