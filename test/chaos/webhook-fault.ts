import { judge, submit } from './chaos-farm.ts';
import type { ChaosFarm } from './chaos-farm.ts';
import { pollFor, sleep } from './processes.ts';
import { SETTLE_MS } from './s3-faults.ts';
import type { FaultOutcome } from './s3-faults.ts';
import type { WebhookReceiver } from '../e2e/farm-harness.ts';

/** The webhook retry delays the chaos farm runs with: attempts at 0, 5, 15, 35, 65 and 95 s after the event. */
export const CHAOS_WEBHOOK_RETRY_MS = '5000,10000,20000,30000,30000';

/**
 * The job's webhook receiver is down (its port closed) for `downMs` from before the job is submitted; the job must
 * succeed meanwhile, and its job.succeeded event must arrive once the receiver is back (by the retry schedule).
 */
export async function webhookReceiverDown(chaos: ChaosFarm, receiver: WebhookReceiver, downMs = 60_000): Promise<FaultOutcome> {
  await receiver.down();
  const downAt = Date.now();
  const id = await submit(chaos, { webhook: receiver.url });
  const verdict = await judge(chaos, id, SETTLE_MS);
  const problems: string[] = [];
  await sleep(downAt + downMs - Date.now());
  if (receiver.events.length > 0) problems.push('a delivery arrived while the receiver was down');
  await receiver.up();
  const upAt = Date.now();
  if (verdict.status === 'succeeded') {
    const delivered = await pollFor(() => receiver.of(id, 'job.succeeded')[0] ?? null, 60_000, 200);
    if (delivered === null) problems.push('job.succeeded never arrived after the receiver came back');
    else {
      const copies = receiver.of(id, 'job.succeeded').length;
      if (copies !== 1) problems.push(`job.succeeded arrived ${copies} times`);
      return { fault: 'webhook receiver down 60 s', verdicts: [verdict], problems, note: `job.succeeded delivered ${((delivered.at - upAt) / 1000).toFixed(1)} s after it came back (retry schedule ${CHAOS_WEBHOOK_RETRY_MS} ms)` };
    }
  }
  if (receiver.rejected.length > 0) problems.push(`deliveries rejected: ${receiver.rejected.join('; ')}`);
  return { fault: 'webhook receiver down 60 s', verdicts: [verdict], problems, note: `retry schedule ${CHAOS_WEBHOOK_RETRY_MS} ms` };
}
