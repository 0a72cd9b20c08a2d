import { hostname } from 'node:os';
import type { WorkerActivityState, WorkerIdentity, WorkerRegistry } from './worker-registry.ts';

/** The id of this process on the job timelines and in the registry: `{role}-{host}-{pid}`. */
export function processIdOf(role: string, host: string = hostname(), pid: number = process.pid): string {
  return `${role}-${host}-${pid}`;
}

export interface WorkerHeartbeatOptions {
  registry: WorkerRegistry;
  identity: WorkerIdentity;
  /** What the worker does now, read at every heartbeat. */
  activity: () => WorkerActivityState;
  /** @defaultValue 5000 (a third of the registry's default aliveSeconds) */
  intervalMs?: number;
  /** A heartbeat that could not be written (Redis down); the next one tries again. @defaultValue ignore */
  onError?: (error: unknown) => void;
}

export interface WorkerHeartbeat {
  /** Publishes now (a stage started or ended), besides the regular beat. */
  beat(): void;
  /** Stops beating and removes the worker from the registry. */
  stop(): Promise<void>;
}

/** Publishes the worker's heartbeat at once and every `intervalMs` until stopped. */
export function startWorkerHeartbeat(options: WorkerHeartbeatOptions): WorkerHeartbeat {
  const { registry, identity } = options;
  const onError = options.onError ?? ((): void => {});
  let stopped = false;
  let writing: Promise<void> = Promise.resolve();
  const beat = (): void => {
    if (stopped) return;
    writing = writing.then(() => (stopped ? undefined : registry.publish(identity, options.activity()))).catch(onError);
  };
  beat();
  const timer = setInterval(beat, options.intervalMs ?? 5000);
  timer.unref();
  return {
    beat,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await writing;
      await registry.remove(identity.id).catch(onError);
    },
  };
}
