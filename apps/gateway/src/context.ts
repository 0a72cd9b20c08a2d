import type { FaceAnalyzer } from '@portrait-farm/face';
import type { JobStore } from '@portrait-farm/jobs';
import type { FarmQueues } from '@portrait-farm/queue';
import type { ObjectStorage } from '@portrait-farm/storage';
import type { Redis } from 'ioredis';
import type { ResolvedGatewayConfig } from './config.ts';
import type { GatewayMetrics } from './metrics.ts';

/** What the routes share: configuration and the clients opened once at start-up. */
export interface GatewayContext {
  config: ResolvedGatewayConfig;
  redis: Redis;
  jobs: JobStore;
  queues: FarmQueues;
  storage: ObjectStorage;
  metrics: GatewayMetrics;
  /** Checks each portrait's face at create (face-check.ts); null when the configuration's faceCheck is off. */
  faces: FaceAnalyzer | null;
}
