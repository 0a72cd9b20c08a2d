import { Counter } from 'prom-client';
import type { Registry } from 'prom-client';
import { codeLabel, nameLabel } from './label-values.ts';

export type StorageMetrics = Counter<'operation' | 'code'>;

export function defineStorageMetrics(registry: Registry): StorageMetrics {
  return new Counter({
    name: 'portrait_farm_storage_errors_total',
    help: 'Storage calls that failed, by operation (put, get, head, ...) and error code (STORAGE_UNAVAILABLE, STORAGE_IO, ...).',
    labelNames: ['operation', 'code'] as const,
    registers: [registry],
  });
}

export function recordStorageError(metrics: StorageMetrics, operation: string, code: string): void {
  metrics.inc({ operation: nameLabel(operation), code: codeLabel(code) });
}
