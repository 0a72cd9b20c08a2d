import type { AvatarStore } from '@portrait-farm/avatars';
import type { JobStore } from '@portrait-farm/jobs';
import type { FarmQueues } from '@portrait-farm/queue';
import type { SigningKey } from '@portrait-farm/provenance';
import type { SessionStore } from '@portrait-farm/sessions';
import type { FilesystemStorage, ObjectStorage } from '@portrait-farm/storage';
import type { Cluster, Redis } from 'ioredis';
import type { ResolvedGatewayConfig } from './config.ts';
import type { InputChecker } from './input-check-thread.ts';
import type { GatewayMetrics } from './metrics.ts';

/** What the routes share: configuration and the clients opened once at start-up. */
export interface GatewayContext {
  config: ResolvedGatewayConfig;
  redis: Redis | Cluster;
  jobs: JobStore;
  /** The tenants' avatars, in the farm's storage. */
  avatars: AvatarStore;
  queues: FarmQueues;
  /** Realtime sessions: placement on the workers' session slots, records, metering. */
  sessions: SessionStore;
  /** The farm's storage; its failed calls are counted (portrait_farm_storage_errors_total). */
  storage: ObjectStorage;
  /** The same storage when it is the filesystem driver, whose presigned URLs the gateway serves (file-routes.ts); null for S3. */
  fileStorage: FilesystemStorage | null;
  metrics: GatewayMetrics;
  /** The checks at create (input-checks.ts) in their own thread; with face models when the configuration's faceCheck is on. */
  inputChecks: InputChecker;
  /** The farm's provenance signing key (PORTRAIT_FARM_SIGNING_KEY): its public key is served and verifies uploads; null when unset. */
  signingKey: SigningKey | null;
}
