// The gateway's operator API (/v1/ops), as the page reads it. The session cookie authenticates every call; a POST
// carries the page's Origin, which the gateway checks.

export interface QueueDepth {
  name: string;
  /** Ready to run, not yet taken (the prioritized ones included). */
  waiting: number;
  /** Of `waiting`, those held in priority order. */
  prioritized: number;
  delayed: number;
  active: number;
  failed: number;
  paused: boolean;
}

export interface WorkerSegment {
  jobId: string;
  index: number;
  count: number;
}

/** A worker or stitcher process, as its heartbeat tells it. */
export interface FarmWorker {
  id: string;
  role: 'worker' | 'stitcher';
  host: string;
  pid: number;
  /** The execution provider its engine runs on; "none" for a stitcher. */
  provider: string;
  /** From the newest stage it runs: prepare, a segment, stitch. */
  state: 'idle' | 'preparing' | 'rendering' | 'stitching';
  /** The job of that stage. */
  jobId: string | null;
  segment: WorkerSegment | null;
  framesPerSecond: number | null;
  lastHeartbeatAt: string;
  alive: boolean;
}

export interface ThroughputMinute {
  minute: string;
  succeeded: number;
  failed: number;
  frames: number;
}

export interface OpsOverview {
  queues: QueueDepth[];
  workers: FarmWorker[];
  stitchers: FarmWorker[];
  /** The last 60 minutes, oldest first. */
  throughput: ThroughputMinute[];
}

export const JOB_STATUSES = ['queued', 'preparing', 'rendering', 'stitching', 'succeeded', 'failed', 'canceled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
const TERMINAL: ReadonlySet<string> = new Set(['succeeded', 'failed', 'canceled']);

export function isTerminal(status: string): boolean {
  return TERMINAL.has(status);
}

/** The jobs list's filters (GET /v1/ops/jobs?status=): a status group and the statuses it holds. */
export const JOB_FILTERS: Readonly<Record<string, readonly JobStatus[]>> = Object.freeze({
  queued: ['queued'],
  running: ['preparing', 'rendering', 'stitching'],
  succeeded: ['succeeded'],
  failed: ['failed'],
  canceled: ['canceled'],
});
export type JobFilter = keyof typeof JOB_FILTERS;

export interface OpsJob {
  id: string;
  tenant: string;
  status: JobStatus;
  /** 0..1 */
  progress: number;
  createdAt: string;
  updatedAt: string;
  error: { code: string; message: string } | null;
  /** The job this one retries, if any. */
  retryOf?: string | null;
}

export interface OpsJobPage {
  jobs: OpsJob[];
  next: string | null;
}

export type TimelineStage = 'prepare' | 'segment' | 'stitch';

export interface TimelineEvent {
  stage: TimelineStage;
  index: number | null;
  worker: string | null;
  startedAt: string;
  endedAt: string | null;
  frames: number | null;
  status: 'running' | 'done' | 'failed';
  /** Why it failed: an error code, or "canceled". */
  error?: string | null;
}

export interface JobTimeline {
  id: string;
  status: JobStatus;
  events: TimelineEvent[];
}

/** An answer other than 2xx: the gateway's error code and message (or what the page could make of the answer). */
export class OpsApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'OpsApiError';
  }
}

async function errorOf(response: Response): Promise<OpsApiError> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    if (body.error?.message !== undefined) return new OpsApiError(response.status, body.error.code ?? 'UNKNOWN', body.error.message);
  } catch {
    // not JSON: the status says enough
  }
  return new OpsApiError(response.status, 'HTTP_' + response.status, `The gateway answered ${response.status} ${response.statusText}.`);
}

async function call<T>(path: string, method: 'GET' | 'POST' = 'GET'): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { method, credentials: 'same-origin', headers: { accept: 'application/json' } });
  } catch (error) {
    throw new OpsApiError(0, 'NETWORK', `The gateway cannot be reached (${(error as Error).message}).`);
  }
  if (!response.ok) throw await errorOf(response);
  const text = await response.text();
  return (text === '' ? null : JSON.parse(text)) as T;
}

const segment = encodeURIComponent;

export const opsApi = {
  overview: (): Promise<OpsOverview> => call('/v1/ops/overview'),
  jobs(status: JobFilter | null, cursor: string | null, limit = 50): Promise<OpsJobPage> {
    const query = new URLSearchParams({ limit: String(limit) });
    if (status !== null) query.set('status', status);
    if (cursor !== null) query.set('cursor', cursor);
    return call(`/v1/ops/jobs?${query}`);
  },
  timeline: (id: string): Promise<JobTimeline> => call(`/v1/ops/jobs/${segment(id)}/timeline`),
  cancelJob: (id: string): Promise<unknown> => call(`/v1/ops/jobs/${segment(id)}/cancel`, 'POST'),
  /** A new job with the same inputs and options (its `retryOf` names the old one). */
  retryJob: (id: string): Promise<OpsJob> => call(`/v1/ops/jobs/${segment(id)}/retry`, 'POST'),
  pauseQueue: (name: string): Promise<unknown> => call(`/v1/ops/queues/${segment(name)}/pause`, 'POST'),
  resumeQueue: (name: string): Promise<unknown> => call(`/v1/ops/queues/${segment(name)}/resume`, 'POST'),
};

export const EVENTS_URL = '/v1/ops/events';
