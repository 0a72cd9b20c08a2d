import { JobOptionsSchema, RENDER_OPTION_RANGES, findViolation, resolveJobOptions, showValue as show, violationMessage, type JobOptionsInput } from '@portrait-farm/contracts';
import { JOB_EVENT_TYPES } from '@portrait-farm/jobs';
import type { JobEventType, JobOptions, JobWebhook } from '@portrait-farm/jobs';
import { GatewayError } from './errors.ts';

/** The parts of a create request that define the job besides its inputs. */
export interface JobRequestFields {
  options: JobOptions;
  webhook: JobWebhook | null;
  priority: number;
}

/** The render ranges shared with the engine and the CLI, plus the API's own. */
export const OPTION_RANGES = Object.freeze({
  ...RENDER_OPTION_RANGES,
  priority: { min: 1, max: 10, default: 5 },
});

const DEFAULT_EVENTS: JobEventType[] = ['job.succeeded', 'job.failed', 'job.canceled'];

function bad(message: string): GatewayError {
  return new GatewayError('GATEWAY_BAD_OPTION', message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyKnown(path: string, value: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw bad(`${path}.${key} is not a known option; known: ${known.join(', ')}.`);
  }
}

function integerIn(path: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw bad(`${path} must be an integer between ${min} and ${max}. Received: ${show(value)}`);
  }
  return value;
}

function oneOf<T extends string>(path: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw bad(`${path} must be one of ${allowed.join(', ')}. Received: ${show(value)}`);
  }
  return value as T;
}

/** Checks render options against the one option model (JobOptionsSchema) and fills fps, mode and seed. */
export function parseJobOptions(value: unknown): JobOptions {
  if (value === undefined || value === null) value = {};
  const violation = findViolation(JobOptionsSchema, value);
  if (violation !== null) throw bad(violationMessage(violation, (path) => ['options', ...path].join('.')));
  return resolveJobOptions(value as JobOptionsInput);
}

export function parseWebhook(value: unknown, allowHttp: boolean): JobWebhook | null {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) throw bad(`webhook must be an object {url, events}. Received: ${show(value)}`);
  onlyKnown('webhook', value, ['url', 'events']);
  const url = value['url'];
  let parsed: URL | null = null;
  try {
    parsed = typeof url === 'string' ? new URL(url) : null;
  } catch {
    parsed = null;
  }
  const schemes = allowHttp ? ['https:', 'http:'] : ['https:'];
  if (parsed === null || !schemes.includes(parsed.protocol) || parsed.username !== '' || parsed.password !== '') {
    throw bad(`webhook.url must be an ${allowHttp ? 'http(s)' : 'https'} URL without credentials. Received: ${show(url)}`);
  }
  const events = value['events'] ?? DEFAULT_EVENTS;
  if (!Array.isArray(events) || events.length === 0) {
    throw bad(`webhook.events must be a non-empty array of ${JOB_EVENT_TYPES.join(', ')}. Received: ${show(events)}`);
  }
  const checked = events.map((event, i) => oneOf(`webhook.events[${i}]`, event, JOB_EVENT_TYPES));
  return { url: parsed.href, events: [...new Set(checked)] };
}

export function parsePriority(value: unknown): number {
  const r = OPTION_RANGES.priority;
  if (value === undefined || value === null) return r.default;
  const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  return integerIn('priority', number, r.min, r.max);
}

/** Parses a JSON text field of a multipart request (options, webhook). */
export function parseJsonField(name: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new GatewayError('GATEWAY_BAD_REQUEST', `The multipart field "${name}" must be JSON. Received: ${show(text)}`);
  }
}

export function parseJobRequestFields(body: { options?: unknown; webhook?: unknown; priority?: unknown }, allowHttp: boolean): JobRequestFields {
  return { options: parseJobOptions(body.options), webhook: parseWebhook(body.webhook, allowHttp), priority: parsePriority(body.priority) };
}
