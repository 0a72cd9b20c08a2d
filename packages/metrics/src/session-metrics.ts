import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import { oneOfLabel } from './label-values.ts';

/** How a realtime session ended (packages/sessions' SessionEndReason). */
export const SESSION_END_REASONS = Object.freeze(['client', 'idle_timeout', 'max_duration', 'error', 'deleted', 'shutdown', 'not_connected', 'worker_lost'] as const);

export interface SessionMetrics {
  /** Seconds of stream sent to realtime sessions' clients (what tenants are metered by, summed over tenants). */
  readonly seconds: Counter;
  readonly ended: Counter<'reason'>;
  readonly running: Gauge;
}

export function defineSessionMetrics(registry: Registry): SessionMetrics {
  return Object.freeze({
    seconds: new Counter({ name: 'portrait_farm_session_seconds_total', help: 'Seconds of stream sent to realtime sessions (all tenants; per tenant in Redis, GET /v1/usage).', registers: [registry] }),
    ended: new Counter({
      name: 'portrait_farm_sessions_ended_total',
      help: 'Realtime sessions ended on this worker, by reason (client, idle_timeout, max_duration, error, deleted, shutdown, not_connected, worker_lost).',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    running: new Gauge({ name: 'portrait_farm_sessions_running', help: 'Realtime sessions this worker streams now.', registers: [registry] }),
  });
}

export function recordSessionEnd(metrics: SessionMetrics, reason: string): void {
  metrics.ended.inc({ reason: oneOfLabel(reason, SESSION_END_REASONS) });
}
