import { extname, join } from 'node:path';
import type { MultipartFile, MultipartValue } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { ResolvedGatewayConfig } from './config.ts';
import { GatewayError } from './errors.ts';
import { fetchInput, parseInputUrl } from './fetch-input.ts';
import { parseTextField } from './job-request.ts';
import { tooManyParts, unexpectedFileMessage } from './multipart-errors.ts';
import { spoolToFile, tooLarge } from './spool.ts';
import type { ByteBudget, SpooledFile } from './spool.ts';

export const INPUT_NAMES = ['image', 'audio'] as const;
export type InputName = (typeof INPUT_NAMES)[number];

/** One input on local disk, with what the client said about it. */
export interface LocalInput extends SpooledFile {
  contentType: string | null;
  /** Extension for the stored key, from the client's filename or URL path (".bin" when unknown). */
  extension: string;
}

/** The request body before the inputs are fetched: fields plus either local files or URLs. */
export interface RawJobRequest {
  fields: Partial<Record<FieldName, unknown>>;
  /** Multipart: files already spooled. */
  files: Partial<Record<InputName, LocalInput>>;
  /** JSON: URLs still to fetch. */
  urls: Partial<Record<InputName, URL>>;
}

function extensionOf(name: string): string {
  const ext = extname(name).toLowerCase();
  return /^\.[a-z0-9]{1,5}$/.test(ext) ? ext : '.bin';
}

const FIELD_NAMES = ['consent', 'options', 'webhook', 'priority', 'avatar', 'face'] as const;
export type FieldName = (typeof FIELD_NAMES)[number];

/** The parts a multipart create takes: its files and its text fields. */
export interface MultipartParts {
  files: readonly InputName[];
  fields: readonly FieldName[];
}

/** POST /v1/jobs: the portrait (or an avatar's id), the audio, consent, options, webhook, priority. */
export const JOB_PARTS: MultipartParts = Object.freeze({ files: INPUT_NAMES, fields: ['consent', 'options', 'webhook', 'priority', 'avatar'] as const });
/** POST /v1/avatars: the portrait, consent and the face choice. */
export const AVATAR_PARTS: MultipartParts = Object.freeze({ files: ['image'] as const, fields: ['consent', 'face'] as const });

/** Refuses a multipart request without one of the files `names`. */
export function requireFiles(raw: RawJobRequest, names: readonly InputName[]): void {
  for (const name of names) {
    if (raw.files[name] === undefined) throw new GatewayError('GATEWAY_BAD_REQUEST', `The multipart file "${name}" is missing.`);
  }
}

/** Reads a multipart request: the files of `parts` are spooled to `dir` under the byte budget; which are required is the caller's rule. */
export async function readMultipart(request: FastifyRequest, dir: string, budget: ByteBudget, parts: MultipartParts = JOB_PARTS): Promise<RawJobRequest> {
  const raw: RawJobRequest = { fields: {}, files: {}, urls: {} };
  const seen = new Set<string>();
  try {
    for await (const part of request.parts()) {
      if (seen.has(part.fieldname)) throw new GatewayError('GATEWAY_BAD_REQUEST', `The multipart field "${part.fieldname}" appears twice.`);
      seen.add(part.fieldname);
      if (part.type === 'file') {
        const file = part as MultipartFile;
        if (!(parts.files as readonly string[]).includes(file.fieldname)) {
          file.file.resume();
          throw new GatewayError('GATEWAY_BAD_REQUEST', unexpectedFileMessage(file.fieldname, parts));
        }
        const name = file.fieldname as InputName;
        const spooled = await spoolToFile(file.file, join(dir, name), budget);
        if (file.file.truncated) throw tooLarge(budget.limit, `more than ${budget.limit} bytes`);
        raw.files[name] = { ...spooled, contentType: file.mimetype || null, extension: extensionOf(file.filename) };
      } else {
        const field = part as MultipartValue<unknown>;
        const name = field.fieldname;
        if ((parts.files as readonly string[]).includes(name)) {
          throw new GatewayError(
            'GATEWAY_BAD_REQUEST',
            `The multipart part "${name}" must be a file part (with a filename, as curl -F ${name}=@file sends it), not a text field.`,
          );
        }
        if (!(parts.fields as readonly string[]).includes(name)) {
          throw new GatewayError('GATEWAY_BAD_REQUEST', `Unknown field "${name}"; expected ${[...parts.files, ...parts.fields].join(', ')}.`);
        }
        const fieldName = name as FieldName;
        if (field.valueTruncated) {
          throw new GatewayError('GATEWAY_UPLOAD_TOO_LARGE', `The multipart field "${name}" is larger than the gateway takes for a text field (consent, options, webhook, face and priority are short JSON or a number, avatar an id).`);
        }
        // A part sent with Content-Type: application/json arrives parsed (@fastify/multipart), any other as text.
        const value = typeof field.value === 'string' ? parseTextField(fieldName, field.value) : field.value;
        if (value !== undefined) raw.fields[fieldName] = value;
      }
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(budget.limit, `more than ${budget.limit} bytes`);
    if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') throw new GatewayError('GATEWAY_BAD_REQUEST', tooManyParts(parts));
    if (code === 'FST_INVALID_JSON_FIELD_ERROR') {
      throw new GatewayError('GATEWAY_BAD_REQUEST', 'A multipart text field sent as application/json is not valid JSON (or is cut short by the field size limit, or has a __proto__ key).');
    }
    throw error;
  }
  return raw;
}

/**
 * Reads a JSON request, its shape already checked by the route's schema (CreateJobJson, CreateAvatarJson): the
 * inputs' URLs (those given of `files`) are fetched later.
 */
export function readJsonRequest(body: unknown, policy: ResolvedGatewayConfig['inputFetch'], parts: MultipartParts = JOB_PARTS): RawJobRequest {
  const record = body as Record<string, unknown>;
  const urls: Partial<Record<InputName, URL>> = {};
  for (const name of parts.files) if (record[name] !== undefined) urls[name] = parseInputUrl(name, record[name], policy);
  const fields = Object.fromEntries(parts.fields.filter((name) => record[name] !== undefined).map((name) => [name, record[name]]));
  return { fields, files: {}, urls };
}

/** Downloads the URLs of a JSON request into `dir`. */
export async function fetchInputs(raw: RawJobRequest, dir: string, budget: ByteBudget, policy: ResolvedGatewayConfig['inputFetch']): Promise<Partial<Record<InputName, LocalInput>>> {
  const out: Partial<Record<InputName, LocalInput>> = { ...raw.files };
  for (const name of INPUT_NAMES) {
    const url = raw.urls[name];
    if (url === undefined) continue;
    const fetched = await fetchInput(name, url, join(dir, name), budget, policy);
    out[name] = { ...fetched, extension: extensionOf(url.pathname) };
  }
  return out;
}
