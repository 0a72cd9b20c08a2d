import { JobOptionsSchema, findViolation, resolveJobOptions, showValue, violationMessage, type JobOptionsInput, type JsonSchema } from '@portrait-farm/contracts';
import type { JobConsent, JobEventType, JobOptions, JobWebhook } from '@portrait-farm/jobs';
import { ConsentSchema, PRIORITY, PrioritySchema, WebhookSchema } from './api-schemas.ts';
import { GatewayError } from './errors.ts';

/** The parts of a create request that define the job besides its inputs. */
export interface JobRequestFields {
  /** The consent attestation, without the time it arrived (which is not part of the request's hash). */
  consent: Omit<JobConsent, 'at'>;
  options: JobOptions;
  webhook: JobWebhook | null;
  priority: number;
}

const DEFAULT_EVENTS: JobEventType[] = ['job.succeeded', 'job.failed', 'job.canceled'];

function bad(message: string): GatewayError {
  return new GatewayError('GATEWAY_BAD_OPTION', message);
}

/** Checks a value against its schema, naming it from `root` in the message. */
export function checkField(schema: JsonSchema, value: unknown, root: string): void {
  const violation = findViolation(schema, value);
  if (violation !== null) throw bad(violationMessage(violation, (path) => [root, ...path].join('.')));
}

/**
 * Checks render options against the one option model (JobOptionsSchema) and fills fps, mode and seed. With
 * `requireLabel` (PORTRAIT_FARM_REQUIRE_LABEL) the visible label is mandatory: label is set, and label false refused.
 */
export function parseJobOptions(value: unknown, requireLabel = false): JobOptions {
  if (value === undefined || value === null) value = {};
  checkField(JobOptionsSchema, value, 'options');
  const options = resolveJobOptions(value as JobOptionsInput);
  if (!requireLabel) return options;
  if (options.label === false) {
    throw bad('options.label must be true here: this farm requires the visible "AI-GENERATED" label on every video (PORTRAIT_FARM_REQUIRE_LABEL). Received: false');
  }
  return { ...options, label: true };
}

const CONSENT_HOW =
  'Every job needs a consent attestation: the submitter affirms having the right to animate this portrait (the consent of the person shown, or the rights to the image) and to use the voice. Send consent {"attestation": true} (JSON property, or multipart text field with that JSON; optional "statement").';

/** GATEWAY_CONSENT_REQUIRED for a create without consent (also when the route's schema finds it missing). */
export function consentMissing(): GatewayError {
  return new GatewayError('GATEWAY_CONSENT_REQUIRED', `consent is missing. ${CONSENT_HOW}`);
}

/** The consent attestation: required, `attestation` exactly true, an optional statement. */
export function parseConsent(value: unknown): Omit<JobConsent, 'at'> {
  if (value === undefined || value === null) throw consentMissing();
  const violation = findViolation(ConsentSchema, value);
  if (violation !== null) {
    throw new GatewayError('GATEWAY_CONSENT_REQUIRED', `${violationMessage(violation, (path) => ['consent', ...path].join('.'))} ${CONSENT_HOW}`);
  }
  const consent = value as { attestation: true; statement?: string };
  return { attestation: true, statement: consent.statement ?? null };
}

/** The webhook's URL policy, beyond its schema: https (http where allowed), no credentials. */
export function parseWebhook(value: { url: string; events?: JobEventType[] } | null | undefined, allowHttp: boolean): JobWebhook | null {
  if (value === undefined || value === null) return null;
  let parsed: URL | null = null;
  try {
    parsed = new URL(value.url);
  } catch {
    parsed = null;
  }
  const schemes = allowHttp ? ['https:', 'http:'] : ['https:'];
  if (parsed === null || !schemes.includes(parsed.protocol) || parsed.username !== '' || parsed.password !== '') {
    throw bad(`webhook.url must be an ${allowHttp ? 'http(s)' : 'https'} URL without credentials. Received: ${showValue(value.url)}`);
  }
  return { url: parsed.href, events: [...new Set(value.events ?? DEFAULT_EVENTS)] };
}

/** A multipart text field as its value: JSON (options, webhook, consent, face), an integer (priority), or an id (avatar); empty means absent. */
export function parseTextField(name: 'options' | 'webhook' | 'priority' | 'consent' | 'avatar' | 'face', text: string): unknown {
  if (text.trim() === '') return undefined;
  if (name === 'avatar') return text.trim();
  if (name === 'priority') {
    if (!/^\s*-?\d+\s*$/.test(text)) throw bad(`priority must be an integer between ${PRIORITY.min} and ${PRIORITY.max}. Received: ${showValue(text)}`);
    return Number(text);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new GatewayError('GATEWAY_BAD_REQUEST', `The multipart field "${name}" must be JSON. Received: ${showValue(text)}`);
  }
}

/** The job-defining fields of a create request, already shaped by the route's schema or by {@link parseTextField}. */
export function parseJobRequestFields(
  body: { options?: unknown; webhook?: unknown; priority?: unknown; consent?: unknown },
  allowHttp: boolean,
  requireLabel = false,
): JobRequestFields {
  const consent = parseConsent(body.consent);
  if (body.webhook !== undefined) checkField(WebhookSchema, body.webhook, 'webhook');
  if (body.priority !== undefined) checkField(PrioritySchema, body.priority, 'priority');
  return {
    consent,
    options: parseJobOptions(body.options, requireLabel),
    webhook: parseWebhook(body.webhook as { url: string; events?: JobEventType[] } | undefined, allowHttp),
    priority: (body.priority as number | undefined) ?? PRIORITY.default,
  };
}
