export { lineLogger, silentLogger } from './farm-logger.ts';
export type { FarmLogger, LogFields } from './farm-logger.ts';
export { createProcessLogger } from './process-logger.ts';
export type { ProcessLoggerOptions, ServiceName } from './process-logger.ts';
export { isJobEventName, JOB_EVENT_NAMES, jobEvent } from './job-events.ts';
export type { JobEventDetails, JobEventFields, JobEventName, JobLogFields } from './job-events.ts';
