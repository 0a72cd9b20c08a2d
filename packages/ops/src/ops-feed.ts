import type { Cluster, Redis } from 'ioredis';
import type { OpsOverview } from './ops-overview.ts';
import type { OpsJobRow } from './ops-views.ts';

/**
 * What the feed sends: the overview every interval, a job's row whenever it is created or its status or progress
 * changes, its id once it is deleted.
 */
export type OpsFeedEvent = { type: 'overview'; data: OpsOverview } | { type: 'job'; data: OpsJobRow } | { type: 'job-deleted'; data: { id: string } };

export interface OpsFeedOptions {
  /** Opens the connection the feed subscribes on (put in subscriber mode; disconnected by `close`). */
  subscriber: () => Redis | Cluster;
  /** The job store's changes channel (`JobStore.keys.changesChannel()`). */
  channel: string;
  overview: () => Promise<OpsOverview>;
  /** The row of a job, or null once it is gone (sent as `job-deleted`). */
  jobRow: (id: string) => Promise<OpsJobRow | null>;
  /** @defaultValue 2000 */
  overviewIntervalMs?: number;
  /** A read that failed (Redis down); the feed goes on. @defaultValue ignore */
  onError?: (error: unknown) => void;
}

type Listener = (event: OpsFeedEvent) => void;

/**
 * One live feed per gateway, shared by every open event stream: while anyone listens it reads the overview every
 * interval and follows the job store's changes channel; a new listener gets an overview at once.
 */
export class OpsFeed {
  private readonly listeners = new Set<Listener>();
  private readonly onError: (error: unknown) => void;
  private subscriber: Redis | Cluster | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly options: OpsFeedOptions) {
    this.onError = options.onError ?? ((): void => {});
  }

  /** Starts sending to `listener`; the returned function stops. */
  subscribe(listener: Listener): () => void {
    if (this.closed) throw new Error('The ops feed is closed.');
    this.listeners.add(listener);
    this.start();
    this.options.overview().then((data) => this.listeners.has(listener) && listener({ type: 'overview', data }), this.onError);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.pause();
    };
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  private emit(event: OpsFeedEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => {
      this.options.overview().then((data) => this.emit({ type: 'overview', data }), this.onError);
    }, this.options.overviewIntervalMs ?? 2000);
    this.timer.unref();
    if (this.subscriber === null) {
      const subscriber = this.options.subscriber();
      this.subscriber = subscriber;
      subscriber.on('message', (_channel: string, id: string) => {
        if (this.listeners.size === 0) return;
        this.options.jobRow(id).then((row) => this.emit(row === null ? { type: 'job-deleted', data: { id } } : { type: 'job', data: row }), this.onError);
      });
      subscriber.subscribe(this.options.channel).catch(this.onError);
    }
  }

  private pause(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Stops the feed for good: timer off, subscriber disconnected, listeners dropped. */
  async close(): Promise<void> {
    this.closed = true;
    this.pause();
    this.listeners.clear();
    this.subscriber?.disconnect();
    this.subscriber = null;
  }
}
