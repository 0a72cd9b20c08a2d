import { Counter } from 'prom-client';
import type { Registry } from 'prom-client';
import { oneOfLabel } from './label-values.ts';

/**
 * What one delivery attempt came to: the webhook worker's outcomes (delivered, retry-scheduled, gave-up,
 * endpoint-disabled, skipped) and `error` when the attempt itself threw (Redis, a bug); BullMQ retries it.
 */
export const WEBHOOK_OUTCOMES = Object.freeze(['delivered', 'retry-scheduled', 'gave-up', 'endpoint-disabled', 'skipped', 'error'] as const);

export type WebhookMetrics = Counter<'outcome'>;

export function defineWebhookMetrics(registry: Registry): WebhookMetrics {
  return new Counter({
    name: 'portrait_farm_webhook_deliveries_total',
    help: 'Webhook delivery attempts by outcome (delivered, retry-scheduled, gave-up, endpoint-disabled, skipped, error).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
}

export function recordWebhookOutcome(metrics: WebhookMetrics, outcome: string): void {
  metrics.inc({ outcome: oneOfLabel(outcome, WEBHOOK_OUTCOMES) });
}
