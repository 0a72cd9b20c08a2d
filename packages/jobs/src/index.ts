export { JOBS_ERRORS, JobsError, isJobsError } from './errors.ts';
export type { JobsErrorCode } from './errors.ts';
export { canTransition, isJobStatus, isTerminal, JOB_STATUSES, JOB_TRANSITIONS, statusesLeadingTo, TERMINAL_STATUSES } from './job-status.ts';
export type { JobStatus } from './job-status.ts';
export { createJobId, isJobId, JOB_ID_PATTERN_SOURCE } from './job-id.ts';
export { JOB_EVENT_TYPES } from './job-record.ts';
export type {
  Emotion,
  JobAudioInput,
  JobControls,
  JobConsent,
  JobError,
  JobEventType,
  JobImageInput,
  JobInput,
  JobInputs,
  JobOptions,
  JobOutput,
  JobPlan,
  JobProgress,
  JobRecord,
  JobTimings,
  JobWebhook,
  NewJob,
  PlannedSegment,
  Solver,
  WebhookAttempt,
} from './job-record.ts';
export { jobKeys } from './keys.ts';
export type { JobKeys } from './keys.ts';
export { JobStore } from './job-store.ts';
export type { CreateJobOptions, CreateJobResult, JobPage, JobStoreOptions, ListJobsOptions, RateDecision, TransitionResult } from './job-store.ts';
export { describeJob } from './describe-job.ts';
export type { JobDescription } from './describe-job.ts';
export { jobUrls, jobView } from './job-view.ts';
export type { JobUrls, JobView, JobViewContext } from './job-view.ts';
export { CHUNK_EXTENSION, chunkIndexOf, jobStorageKeys } from './storage-keys.ts';
export { watchCancellations } from './cancel-watcher.ts';
export type { CancelWatcher, CancelWatcherOptions } from './cancel-watcher.ts';
export { sweepFinishedJobs } from './retention.ts';
export { isJobStatusGroup, JOB_STATUS_GROUPS } from './status-groups.ts';
export type { JobStatusGroup } from './status-groups.ts';
export { JobIndex, MAX_STATUS_PAGE } from './job-index.ts';
export type { JobIndexOptions, StatusPage, StatusPageOptions, ThroughputMinute } from './job-index.ts';
export { JobTimelines } from './job-timeline.ts';
export type { JobTimelinesOptions, StageEnd, StageEvent, StageNotice, StageStatus, TimelineStage } from './job-timeline.ts';
export type { RetentionSweepOptions } from './retention.ts';
