import { sweepFinishedJobs } from '@portrait-farm/jobs';
import type { FastifyBaseLogger } from 'fastify';
import type { GatewayContext } from './context.ts';

/** How often the gateway removes the jobs past retention. */
export const RETENTION_SWEEP_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Removes the finished jobs older than the configured retention (inputs, output, record). Several gateways may sweep
 * at once: each removal is idempotent. Returns the ids removed; none when retention is 0 (off).
 */
export async function sweepExpiredJobs(ctx: GatewayContext, now: number = Date.now()): Promise<string[]> {
  const days = ctx.config.retentionDays;
  if (days === 0) return [];
  return sweepFinishedJobs({ jobs: ctx.jobs, storage: ctx.storage, olderThanMs: days * DAY_MS, now });
}

/** Sweeps once shortly after start, then every {@link RETENTION_SWEEP_MS}; the returned function stops it. */
export function startRetentionSweeps(ctx: GatewayContext, log: FastifyBaseLogger): () => void {
  if (ctx.config.retentionDays === 0) return () => {};
  let running = false;
  let indexed = false;
  const sweepOnce = async (): Promise<void> => {
    // Jobs that ended before the finished set existed join it once, at the first sweep.
    if (!indexed) {
      const added = await ctx.jobs.indexFinishedJobs();
      indexed = true;
      if (added > 0) log.info({ added }, 'indexed finished jobs for retention');
    }
    const removed = await sweepExpiredJobs(ctx);
    if (removed.length > 0) log.info({ removed: removed.length, retentionDays: ctx.config.retentionDays }, 'removed jobs past retention');
  };
  const sweep = (): void => {
    if (running) return;
    running = true;
    sweepOnce()
      .catch((error: unknown) => log.warn({ err: error }, 'retention sweep failed; retried at the next one'))
      .finally(() => {
        running = false;
      });
  };
  const first = setTimeout(sweep, 10_000).unref();
  const every = setInterval(sweep, RETENTION_SWEEP_MS).unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}
