import type { Registry } from 'prom-client';
import { defineExecutionProviderInfo, defineInferenceMetrics } from './inference-metrics.ts';
import type { ExecutionProviderInfo, InferenceMetrics } from './inference-metrics.ts';
import { defineJobMetrics } from './job-metrics.ts';
import type { JobMetrics } from './job-metrics.ts';
import { createProcessRegistry } from './process-registry.ts';
import type { FarmRole } from './process-registry.ts';
import { defineSegmentMetrics } from './segment-metrics.ts';
import type { SegmentMetrics } from './segment-metrics.ts';
import { defineSessionMetrics } from './session-metrics.ts';
import type { SessionMetrics } from './session-metrics.ts';
import { defineStepMetrics } from './step-metrics.ts';
import type { StepMetrics } from './step-metrics.ts';
import { defineStorageMetrics } from './storage-metrics.ts';
import type { StorageMetrics } from './storage-metrics.ts';
import { defineWebhookMetrics } from './webhook-metrics.ts';
import type { WebhookMetrics } from './webhook-metrics.ts';

/**
 * The metric families of the farm's work, on one process's registry. Every process registers all of them (a family a
 * role never moves stays at zero or without series), so each name means the same everywhere and sums across roles.
 */
export interface FarmMetrics {
  readonly role: FarmRole;
  readonly registry: Registry;
  readonly steps: StepMetrics;
  readonly jobs: JobMetrics;
  readonly segments: SegmentMetrics;
  readonly inference: InferenceMetrics;
  /** The worker's execution provider (set once its engine is loaded). */
  readonly executionProvider: ExecutionProviderInfo;
  readonly webhooks: WebhookMetrics;
  readonly storage: StorageMetrics;
  /** Realtime sessions hosted by a worker. */
  readonly sessions: SessionMetrics;
}

/** A fresh registry for a process of `role` (one per process; tests build several) with every farm family. */
export function createFarmMetrics(role: FarmRole): FarmMetrics {
  const registry = createProcessRegistry(role);
  return Object.freeze({
    role,
    registry,
    steps: defineStepMetrics(registry),
    jobs: defineJobMetrics(registry),
    segments: defineSegmentMetrics(registry),
    inference: defineInferenceMetrics(registry),
    executionProvider: defineExecutionProviderInfo(registry),
    webhooks: defineWebhookMetrics(registry),
    storage: defineStorageMetrics(registry),
    sessions: defineSessionMetrics(registry),
  });
}
