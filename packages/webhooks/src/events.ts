import { randomBytes } from 'node:crypto';

export const WEBHOOK_EVENT_TYPES = Object.freeze(['job.succeeded', 'job.failed', 'job.canceled', 'job.progress'] as const);
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The JSON body of every webhook (the Standard Webhooks payload shape). */
export interface WebhookEvent<Data extends object = Record<string, unknown>> {
  type: WebhookEventType;
  /** When the event happened, ISO 8601 (not when this attempt is sent: that is webhook-timestamp). */
  timestamp: string;
  data: Data;
}

/** A new message id (webhook-id). Create it once per event and reuse it on every retry, so receivers can deduplicate. */
export function createMessageId(): string {
  return `msg_${randomBytes(16).toString('base64url')}`;
}
