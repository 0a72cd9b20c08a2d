import type { Cluster, Redis } from 'ioredis';
import type { TimelineStage } from '@portrait-farm/jobs';

/** The farm processes that publish heartbeats: workers (prepare, segments) and stitchers (audio, stitch, webhooks). */
export const FARM_PROCESS_ROLES = Object.freeze(['worker', 'stitcher'] as const);
export type FarmProcessRole = (typeof FARM_PROCESS_ROLES)[number];

/** Who a farm process is. */
export interface WorkerIdentity {
  /** Unique per process: `{role}-{host}-{pid}` (the id on the job timelines). */
  id: string;
  role: FarmProcessRole;
  host: string;
  pid: number;
  /** The execution provider its engine runs on (cuda, webgpu, cpu); "none" for a stitcher, which runs no engine. */
  provider: string;
}

/** The segment a worker renders. */
export interface WorkerSegment {
  jobId: string;
  index: number;
  /** The job's segments. */
  count: number;
}

/** What a process does, from the newest stage it runs: prepare, a segment, stitch. */
export type ProcessState = 'idle' | 'preparing' | 'rendering' | 'stitching';

/** What a worker is doing, as its heartbeat tells it. */
export interface WorkerActivityState {
  state: ProcessState;
  /** The stage it runs (the newest, when several run at once), or null while idle. */
  stage: TimelineStage | null;
  jobId: string | null;
  segment: WorkerSegment | null;
  /** Frames per second of its last finished segment, or null before the first. */
  framesPerSecond: number | null;
}

/** A worker as the registry lists it. */
export interface RegisteredWorker extends WorkerIdentity, WorkerActivityState {
  lastHeartbeatAt: Date;
  /** Whether its last heartbeat is younger than the registry's `aliveSeconds`. */
  alive: boolean;
}

export interface WorkerRegistryOptions {
  /** A connected ioredis client (shared; never closed here). */
  redis: Redis | Cluster;
  /** Deployment prefix; the registry lives under `{prefix}:ops:`. @defaultValue "pf" */
  prefix?: string;
  /** A worker whose last heartbeat is older is listed with alive: false. @defaultValue 15 */
  aliveSeconds?: number;
  /** A worker's entry expires this long after its last heartbeat (a process that died); longer than aliveSeconds. @defaultValue 60 */
  ttlSeconds?: number;
  /** @defaultValue Date.now */
  now?: () => number;
}

/** `role` is absent from the heartbeats of workers older than it. */
type StoredHeartbeat = Omit<WorkerIdentity, 'role'> & { role?: FarmProcessRole } & WorkerActivityState & { at: number };

/**
 * The farm's worker and stitcher processes in Redis: each publishes a heartbeat (a key with a TTL, and its id in a set), removes
 * it when it stops gracefully; a worker that died is listed as not alive, then its entry expires and it is gone.
 */
export class WorkerRegistry {
  readonly aliveSeconds: number;
  private readonly redis: Redis | Cluster;
  private readonly base: string;
  private readonly ttlSeconds: number;
  private readonly now: () => number;

  constructor(options: WorkerRegistryOptions) {
    this.redis = options.redis;
    this.base = `${options.prefix ?? 'pf'}:ops`;
    this.aliveSeconds = options.aliveSeconds ?? 15;
    this.ttlSeconds = options.ttlSeconds ?? 60;
    this.now = options.now ?? Date.now;
    if (!(this.aliveSeconds > 0) || !Number.isInteger(this.ttlSeconds) || this.ttlSeconds <= this.aliveSeconds) {
      throw new RangeError(`aliveSeconds must be > 0 and ttlSeconds an integer above it. Received: ${this.aliveSeconds}, ${this.ttlSeconds}`);
    }
  }

  private workerKey(id: string): string {
    return `${this.base}:worker:${id}`;
  }

  private get idsKey(): string {
    return `${this.base}:workers`;
  }

  async publish(identity: WorkerIdentity, activity: WorkerActivityState): Promise<void> {
    const stored: StoredHeartbeat = { ...identity, ...activity, at: this.now() };
    await this.redis.multi().set(this.workerKey(identity.id), JSON.stringify(stored), 'EX', this.ttlSeconds).sadd(this.idsKey, identity.id).exec();
  }

  /** A worker stopping gracefully leaves the registry at once. */
  async remove(id: string): Promise<void> {
    await this.redis.multi().del(this.workerKey(id)).srem(this.idsKey, id).exec();
  }

  /** Every worker with a heartbeat not yet expired, by id; ids whose entry expired are dropped from the set. */
  async list(): Promise<RegisteredWorker[]> {
    const ids = (await this.redis.smembers(this.idsKey)).sort();
    if (ids.length === 0) return [];
    const values = await this.redis.mget(...ids.map((id) => this.workerKey(id)));
    const gone = ids.filter((_, i) => values[i] === null);
    if (gone.length > 0) await this.redis.srem(this.idsKey, ...gone);
    const now = this.now();
    return values.flatMap((value) => {
      if (value === null) return [];
      const { at, role, ...beat } = JSON.parse(value) as StoredHeartbeat;
      return [{ ...beat, role: role ?? 'worker', lastHeartbeatAt: new Date(at), alive: now - at < this.aliveSeconds * 1000 }];
    });
  }
}
