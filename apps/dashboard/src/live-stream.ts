import type { OpsJob, OpsOverview } from './ops-api.ts';

export type StreamState = 'connecting' | 'live' | 'reconnecting';

export interface LiveStreamHandlers {
  overview(overview: OpsOverview): void;
  job(job: OpsJob): void;
  /** The job was deleted. */
  jobDeleted(id: string): void;
  /** The stream opened (first time or again): what was missed while it was down should be read again. */
  opened(): void;
  state(state: StreamState): void;
}

const FIRST_RETRY_MS = 1000;
const LAST_RETRY_MS = 15_000;

/**
 * The gateway's server-sent events (`overview` every 2 s, `job` on each change, `job-deleted`). EventSource retries by itself after
 * a dropped connection; when the gateway refuses the stream (it closes), a new one is opened with a growing delay.
 */
export function openLiveStream(url: string, handlers: LiveStreamHandlers): { close(): void } {
  let source: EventSource | null = null;
  let retryMs = FIRST_RETRY_MS;
  let timer: number | undefined;
  let closed = false;

  const parse = <T>(event: Event): T | null => {
    try {
      return JSON.parse((event as MessageEvent<string>).data) as T;
    } catch {
      return null;
    }
  };

  const connect = (): void => {
    const stream = new EventSource(url, { withCredentials: true });
    source = stream;
    stream.addEventListener('open', () => {
      retryMs = FIRST_RETRY_MS;
      handlers.state('live');
      handlers.opened();
    });
    stream.addEventListener('overview', (event) => {
      const overview = parse<OpsOverview>(event);
      if (overview !== null) handlers.overview(overview);
    });
    stream.addEventListener('job', (event) => {
      const job = parse<OpsJob>(event);
      if (job !== null) handlers.job(job);
    });
    stream.addEventListener('job-deleted', (event) => {
      const deleted = parse<{ id: string }>(event);
      if (deleted !== null) handlers.jobDeleted(deleted.id);
    });
    stream.addEventListener('error', () => {
      if (closed) return;
      handlers.state('reconnecting');
      if (stream.readyState !== EventSource.CLOSED) return;
      timer = window.setTimeout(connect, retryMs);
      retryMs = Math.min(LAST_RETRY_MS, retryMs * 2);
    });
  };

  handlers.state('connecting');
  connect();
  return {
    close() {
      closed = true;
      window.clearTimeout(timer);
      source?.close();
    },
  };
}
