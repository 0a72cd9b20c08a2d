import type { SupervisedProcess } from '@portrait-farm/process-supervision';
import { judge, submit } from './chaos-farm.ts';
import type { ChaosFarm, JobVerdict } from './chaos-farm.ts';
import { childrenOf, pollFor, sleep } from './processes.ts';
import type { SeenRequest } from './s3-gate.ts';

/** What one fault did to its jobs. */
export interface FaultOutcome {
  fault: string;
  verdicts: JobVerdict[];
  /** Problems of the fault itself (it did not happen as intended, a webhook never arrived). */
  problems: string[];
  /** How the fault was made, for the table's notes. */
  note: string;
}

/** How long a job may take to end after its fault before it counts as lost. */
export const SETTLE_MS = 120_000;

/** From the fault-free run: segment 1's time from reading relay 0 to its chunk check, and sampling seconds a segment. */
export interface SegmentTimes {
  /** Audio features then motion sampling (denoising) of segment 1, as the gate saw it. */
  windowSeconds: number;
  /** Motion sampling a segment (the job's work.motion / segments). */
  motionSeconds: number;
}

/** Watches the reference job at the gate: seconds from segment 1's read of relay 0 to its chunk check. */
export function measureSegmentWindow(chaos: ChaosFarm, id: () => string | null): () => number | null {
  let read: number | null = null;
  let checked: number | null = null;
  const stop = chaos.gate!.watch((r) => {
    const job = id();
    if (job === null) return undefined;
    if (read === null && isRequest(job, 'GET', 'work/relay-0.bin')(r)) read = performance.now();
    if (read !== null && checked === null && isRequest(job, 'HEAD', 'chunks/00001.ts')(r)) checked = performance.now();
    return undefined;
  });
  return () => {
    stop();
    return read === null || checked === null ? null : (checked - read) / 1000;
  };
}

const isRequest = (id: string, method: string, suffix: string) => (r: SeenRequest) => r.method === method && r.path.split('?')[0]!.endsWith(`${id}/${suffix}`);

function kill(process_: SupervisedProcess, what: string): number {
  const pid = process_.pid;
  if (pid === null) throw new Error(`${what} is not running`);
  process.kill(pid, 'SIGKILL');
  return pid;
}

async function judgeAll(chaos: ChaosFarm, ids: readonly string[]): Promise<JobVerdict[]> {
  const verdicts: JobVerdict[] = [];
  for (const id of ids) verdicts.push(await judge(chaos, id, SETTLE_MS));
  return verdicts;
}

/** Two jobs; `fault` acts on the first while the second is queued behind it. */
async function withTwoJobs(chaos: ChaosFarm, fault: (first: string) => Promise<string[]>): Promise<{ verdicts: JobVerdict[]; problems: string[] }> {
  const ids = [await submit(chaos), await submit(chaos)];
  const problems = await fault(ids[0]!);
  return { verdicts: await judgeAll(chaos, ids), problems };
}

/**
 * Segment 1 reads relay 0, computes its audio features, then samples its motion (the denoiser), then looks for its
 * chunk. The worker is killed half-way through the sampling, by the fault-free run's times (the window's end minus
 * half a segment's sampling); that the chunk check had not come yet shows the kill was before sampling ended.
 */
export async function workerKilledDenoising(chaos: ChaosFarm, times: SegmentTimes): Promise<FaultOutcome> {
  let delayMs = Math.max(0, Math.round((times.windowSeconds - times.motionSeconds / 2) * 1000));
  const verdicts: JobVerdict[] = [];
  const tries: string[] = [];
  // On a busy machine the kill may come after the sampling: the jobs still count, and it is tried again earlier.
  for (let attempt = 1; attempt <= 3; attempt++) {
    let sampled = false;
    const round = await withTwoJobs(chaos, async (id) => {
      await chaos.gate!.next(isRequest(id, 'GET', 'work/relay-0.bin'));
      const stop = chaos.gate!.watch((r) => {
        if (isRequest(id, 'HEAD', 'chunks/00001.ts')(r)) sampled = true;
        return undefined;
      });
      await sleep(delayMs);
      kill(chaos.farm.workers[0]!, 'the worker');
      stop();
      return [];
    });
    verdicts.push(...round.verdicts);
    tries.push(`${delayMs} ms${sampled ? ' (after sampling)' : ''}`);
    if (!sampled) {
      return {
        fault: 'worker SIGKILL while denoising',
        verdicts,
        problems: round.problems,
        note: `${tries.join(', then ')} after segment 1 read relay 0 (fault-free: features + sampling ${ms(times.windowSeconds)}, sampling ${ms(times.motionSeconds)})`,
      };
    }
    delayMs = Math.round(delayMs * 0.7);
  }
  return { fault: 'worker SIGKILL while denoising', verdicts, problems: ['every kill came after segment 1 had sampled its motion'], note: tries.join(', ') };
}

/** The worker killed while its ffmpeg encodes a chunk (an ffmpeg child writing `pf-segment-*` is running). */
export async function workerKilledEncoding(chaos: ChaosFarm): Promise<FaultOutcome> {
  const worker = chaos.farm.workers[0]!;
  const { verdicts, problems } = await withTwoJobs(chaos, async () => {
    const encoder = await pollFor(() => {
      const pid = worker.pid;
      return pid === null ? null : (childrenOf(pid).find((c) => c.cmdline.includes('ffmpeg') && c.cmdline.includes('pf-segment-')) ?? null);
    }, 60_000, 2);
    if (encoder === null) return ['no chunk encoder (ffmpeg) seen'];
    kill(worker, 'the worker');
    return [];
  });
  return { fault: 'worker SIGKILL while encoding', verdicts, problems, note: 'while its ffmpeg child encoded a chunk' };
}

/** The worker killed while it uploads chunk 0: the upload is held at the S3 gate, the worker killed, the upload dropped. */
export async function workerKilledUploading(chaos: ChaosFarm): Promise<FaultOutcome> {
  const { verdicts, problems } = await withTwoJobs(chaos, async (id) => {
    await chaos.gate!.next(isRequest(id, 'PUT', 'chunks/00000.ts'), { hold: true });
    kill(chaos.farm.workers[0]!, 'the worker');
    await sleep(200);
    chaos.gate!.dropHeld();
    return [];
  });
  return { fault: 'worker SIGKILL while uploading', verdicts, problems, note: 'its PUT of chunk 0 held in flight' };
}

/** The stitcher killed while it uploads the finished video (its PUT held at the gate). */
export async function stitcherKilled(chaos: ChaosFarm): Promise<FaultOutcome> {
  const { verdicts, problems } = await withTwoJobs(chaos, async (id) => {
    await chaos.gate!.next(isRequest(id, 'PUT', 'output.mp4'), { hold: true });
    kill(chaos.farm.stitcher, 'the stitcher');
    await sleep(200);
    chaos.gate!.dropHeld();
    return [];
  });
  return { fault: 'stitcher SIGKILL while storing the video', verdicts, problems, note: 'its PUT of output.mp4 held in flight' };
}

/** Redis (append-only file, fsynced before each answer) killed once chunk 0 is stored; the farm restarts it. */
export async function redisRestarted(chaos: ChaosFarm): Promise<FaultOutcome> {
  const redis = chaos.farm.redis!;
  const { verdicts, problems } = await withTwoJobs(chaos, async (id) => {
    await chaos.gate!.next(isRequest(id, 'PUT', 'chunks/00000.ts'));
    const restarts = redis.restarts;
    kill(redis, 'redis-server');
    const back = await pollFor(() => (redis.restarts > restarts && redis.pid !== null ? true : null), 30_000, 50);
    return back === null ? ['redis-server did not come back within 30 s'] : [];
  });
  return { fault: 'Redis SIGKILL + restart (AOF)', verdicts, problems, note: 'when chunk 0 was stored' };
}

/** The S3 server stopped (connections refused) for 10 s from the moment chunk 0 is being stored. */
export async function s3Down(chaos: ChaosFarm, seconds = 10): Promise<FaultOutcome> {
  const { verdicts, problems } = await withTwoJobs(chaos, async (id) => {
    await chaos.gate!.next(isRequest(id, 'PUT', 'chunks/00000.ts'), { hold: true });
    await chaos.s3!.down();
    chaos.gate!.dropHeld();
    await sleep(seconds * 1000);
    await chaos.s3!.up();
    return [];
  });
  return { fault: `S3 endpoint down ${seconds} s`, verdicts, problems, note: 's3rver stopped during the PUT of chunk 0, same port and data after' };
}

function ms(seconds: number): string {
  return `${Math.round(seconds * 1000)} ms`;
}
