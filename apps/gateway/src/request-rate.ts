import type { JobStore, RateDecision } from '@portrait-farm/jobs';

/** The tenant's request count in one window as this gateway knows it. */
interface WindowCount {
  window: number;
  /** The count Redis returned at the last flush (every gateway's requests). */
  shared: number;
  /** Requests counted here and not yet sent. */
  pending: number;
  /** Requests sent and not yet answered. */
  inFlight: number;
  timer: NodeJS.Timeout | null;
  flushing: Promise<void> | null;
}

export interface RequestRateOptions {
  windowSeconds?: number;
  /** How long counted requests may wait before they are sent. @defaultValue 100 ms */
  flushMs?: number;
  now?: () => number;
  onError?: (error: unknown) => void;
}

/**
 * The per-tenant request limit without a Redis write per request: requests are counted here and sent to the shared
 * window in batches (at most 1 % of the limit, or after `flushMs`). Far from the limit a request is decided on the
 * shared count Redis last returned plus this gateway's own; within one batch of the limit every request is counted in
 * Redis before it is decided. One gateway never passes the limit; with several, a gateway does not see the others'
 * requests of the last `flushMs` (and round trip), so together they pass it by at most those. A status poll then
 * costs no Redis write (and no fsync where Redis runs with appendfsync always).
 */
export class RequestRateCounter {
  private readonly counts = new Map<string, WindowCount>();
  private readonly windowSeconds: number;
  private readonly flushMs: number;
  private readonly now: () => number;

  constructor(
    private readonly store: Pick<JobStore, 'consumeRate'>,
    private readonly options: RequestRateOptions = {},
  ) {
    this.windowSeconds = options.windowSeconds ?? 60;
    this.flushMs = options.flushMs ?? 100;
    this.now = options.now ?? Date.now;
  }

  /** Counts one request of the tenant; `allowed` is false past `limit`. */
  async take(tenantId: string, limit: number): Promise<RateDecision> {
    const window = Math.floor(this.now() / 1000 / this.windowSeconds);
    let count = this.counts.get(tenantId);
    if (count === undefined || count.window !== window) {
      if (count !== undefined) void this.flush(tenantId, count);
      count = { window, shared: 0, pending: 0, inFlight: 0, timer: null, flushing: null };
      this.counts.set(tenantId, count);
    }
    const batch = Math.max(1, Math.floor(limit / 100));
    if (count.shared + count.inFlight + count.pending + 1 > limit - batch) {
      await this.flush(tenantId, count);
      const decision = await this.store.consumeRate(tenantId, 'requests', limit, this.windowSeconds, 1, window);
      count.shared = Math.max(count.shared, decision.count);
      return decision;
    }
    count.pending += 1;
    if (count.pending >= batch) void this.flush(tenantId, count);
    else count.timer ??= setTimeout(() => void this.flush(tenantId, count), this.flushMs).unref();
    const resetSeconds = Math.max(1, Math.ceil((window + 1) * this.windowSeconds - this.now() / 1000));
    return { allowed: true, count: count.shared + count.inFlight + count.pending, limit, resetSeconds, window };
  }

  /** Sends every unsent count (on close). */
  async close(): Promise<void> {
    await Promise.all([...this.counts].map(([tenantId, count]) => this.flush(tenantId, count)));
    this.counts.clear();
  }

  private async flush(tenantId: string, count: WindowCount): Promise<void> {
    if (count.timer !== null) clearTimeout(count.timer);
    count.timer = null;
    while (count.flushing !== null) await count.flushing;
    const amount = count.pending;
    if (amount === 0) return;
    count.pending = 0;
    count.inFlight = amount;
    count.flushing = (async () => {
      try {
        const decision = await this.store.consumeRate(tenantId, 'requests', Number.MAX_SAFE_INTEGER, this.windowSeconds, amount, count.window);
        count.shared = Math.max(count.shared, decision.count);
      } catch (error) {
        count.pending += amount;
        this.options.onError?.(error);
      } finally {
        count.inFlight = 0;
        count.flushing = null;
      }
    })();
    await count.flushing;
  }
}
