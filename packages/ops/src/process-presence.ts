import { hostname } from 'node:os';
import type { Cluster, Redis } from 'ioredis';
import type { StageNotice } from '@portrait-farm/jobs';
import { WorkerActivity } from './worker-activity.ts';
import { processIdOf, startWorkerHeartbeat } from './worker-heartbeat.ts';
import type { WorkerHeartbeat } from './worker-heartbeat.ts';
import { WorkerRegistry } from './worker-registry.ts';
import type { FarmProcessRole } from './worker-registry.ts';

export interface PresenceStart {
  redis: Redis | Cluster;
  prefix: string;
  /** The execution provider the process runs on ("none" for the stitcher). */
  provider: string;
  /** A heartbeat that could not be written (Redis down); the next one tries again. */
  onError: (error: unknown) => void;
}

/** A worker's or stitcher's place in the registry: what it does, from its stage notices, published as heartbeats. */
export interface ProcessPresence {
  /** The process's id on the job timelines and in the registry. */
  readonly processId: string;
  /** Give it every stage notice of the process's steps (openStepProcess's onStage). */
  readonly onStage: (notice: StageNotice) => void;
  /** Starts the heartbeat, once the process's Redis connection is open. */
  start(options: PresenceStart): void;
  /** Stops the heartbeat and removes the process from the registry. */
  stop(): Promise<void>;
}

export function processPresence(role: FarmProcessRole): ProcessPresence {
  const processId = processIdOf(role);
  const activity = new WorkerActivity();
  let heartbeat: WorkerHeartbeat | null = null;
  return {
    processId,
    onStage: (notice) => {
      activity.observe(notice);
      heartbeat?.beat();
    },
    start({ redis, prefix, provider, onError }) {
      heartbeat = startWorkerHeartbeat({
        registry: new WorkerRegistry({ redis, prefix }),
        identity: { id: processId, role, host: hostname(), pid: process.pid, provider },
        activity: () => activity.snapshot(),
        onError,
      });
    },
    async stop() {
      await heartbeat?.stop();
    },
  };
}
