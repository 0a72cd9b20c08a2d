// One process of capacity-sim.ts's simulated workers (started by it with fork, configured by the farm's environment
// variables): SIM_WORKERS workers, as SIM_WORKER_OBJECTS pairs of a prepare and a segment BullMQ Worker (each with a
// Redis connection of its own, as a worker process has; one pair per worker when there are as many) sharing the
// workers' step slots (the worker's default prepare and segment concurrency each), on the farm's step-worker code
// path (openStepProcess), and SIM_STITCHERS stitch Workers, running the steps of capacity-sim-steps.ts with SIM_PROFILE's holds and sizes.
// Messages from the parent: 'reset' (start counting), 'report' (send the counts), 'stop' (close and exit).
import { ENVIRONMENT } from '@portrait-farm/config';
import { loadFarmConfig, openStepProcess } from '@portrait-farm/job-steps';
import { silentLogger } from '@portrait-farm/logging';
import type { PrepareJob, SegmentJob, StitchJob, SupervisedWorker } from '@portrait-farm/queue';
import type { Job } from 'bullmq';
import { SimSteps } from './capacity-sim-steps.ts';
import type { SimProfile } from './capacity-sim-steps.ts';

/** What a simulated worker process reports for the window since the last 'reset'. */
export interface SimReport {
  segmentsDone: number;
  jobsDone: number;
  stepErrors: number;
  /** Enqueue -> start of each segment started in the window, in milliseconds (BullMQ's timestamp and processedOn). */
  queueLatenciesMs: number[];
}

const send = (message: unknown): void => {
  process.send?.(message);
};
const count = (name: string): number => {
  const value = Number(process.env[name]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number. Passed: ${JSON.stringify(process.env[name])}`);
  return value;
};

const config = loadFarmConfig(process.env);
const profile = JSON.parse(process.env['SIM_PROFILE'] ?? '') as SimProfile;
const step = await openStepProcess(config, silentLogger, 'sim', { processId: `sim-${process.pid}` });
const steps = new SimSteps(step.deps, profile);
let report: SimReport = { segmentsDone: 0, jobsDone: 0, stepErrors: 0, queueLatenciesMs: [] };
const workers: Array<Pick<SupervisedWorker, 'close'> & { worker: { waitUntilReady(): Promise<void> } }> = [];
// SIM_WORKERS workers' step slots, spread over SIM_WORKER_OBJECTS prepare and segment Worker pairs.
const simulated = count('SIM_WORKERS');
const objects = Math.min(simulated, count('SIM_WORKER_OBJECTS'));
const share = (total: number, i: number): number => Math.floor(total / objects) + (i < total % objects ? 1 : 0);
for (let i = 0; i < objects; i += 1) {
  const prepareSlots = share(simulated * ENVIRONMENT.PORTRAIT_FARM_PREPARE_CONCURRENCY.default, i);
  const segmentSlots = share(simulated * ENVIRONMENT.PORTRAIT_FARM_SEGMENT_CONCURRENCY.default, i);
  const prepare = step.stepWorker<PrepareJob>('prepare', prepareSlots, (data) => steps.prepare(data.jobId));
  const segment = step.stepWorker<SegmentJob>('segment', segmentSlots, (data) => steps.segment(data));
  segment.worker.on('active', (job: Job) => {
    if (job.processedOn !== undefined) report.queueLatenciesMs.push(job.processedOn - job.timestamp);
  });
  segment.worker.on('completed', () => {
    report.segmentsDone += 1;
  });
  prepare.worker.on('completed', () => {
    report.segmentsDone += 1;
  });
  for (const supervised of [prepare, segment]) supervised.worker.on('failed', () => (report.stepErrors += 1));
  workers.push(prepare, segment);
}
for (let i = 0; i < count('SIM_STITCHERS'); i += 1) {
  const stitch = step.stepWorker<StitchJob>('stitch', 4, (data) => steps.stitch(data.jobId));
  stitch.worker.on('completed', () => (report.jobsDone += 1));
  stitch.worker.on('failed', () => (report.stepErrors += 1));
  workers.push(stitch);
}
await Promise.all(workers.map((supervised) => supervised.worker.waitUntilReady()));

process.on('message', (message) => {
  if (message === 'reset') report = { segmentsDone: 0, jobsDone: 0, stepErrors: 0, queueLatenciesMs: [] };
  else if (message === 'report') send({ kind: 'report', report });
  else if (message === 'stop') {
    void (async () => {
      await Promise.all(workers.map((supervised) => supervised.close(true)));
      await step.close();
      process.exit(0);
    })();
  }
});
send({ kind: 'ready' });
