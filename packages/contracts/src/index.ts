export { CHANNEL, MOTION_CHANNELS, MOTION_CHANNEL_COUNT, motionValue } from './motion-channels.ts';
export type { MotionChannel, MotionTrack } from './motion-channels.ts';
export { SEALED_GAP, lipGap, pressSeal } from './lip-seal.ts';
export { RENDER_BACKENDS } from './render-backends.ts';
export type { RenderBackend } from './render-backends.ts';
export {
  DEFAULT_OUTPUT_MODE,
  EMOTIONS,
  EXECUTION_PROVIDERS,
  FaceBoxSchema,
  GazeSchema,
  JobOptionsSchema,
  OUTPUT_MODES,
  RENDER_OPTION_RANGES,
  RenderControlsSchema,
  RenderProcessOptionsSchema,
  SOLVERS,
  resolveJobOptions,
} from './render-option-schema.ts';
export type { Emotion, FaceBox, JobOptions, JobOptionsInput, OutputMode, RenderControls, RenderProcessOptions, Solver } from './render-option-schema.ts';
export { createValidator, describeSchema, findViolation, showValue, violationFromErrors, violationMessage } from './schema-check.ts';
export type { JsonSchema, SchemaViolation } from './schema-check.ts';
export { CatalogueError, catalogueErrorClass, defineErrorCatalogue, errorGuard, isCatalogueError, isRetryable } from './error-catalogue.ts';
export type { CatalogueErrorClass, CatalogueErrorOf, CatalogueErrorOptions, ErrorCatalogue, ErrorCatalogueEntry, ErrorCode } from './error-catalogue.ts';
export { LIVE_LATENCY_MODES, LIVE_TRANSPORTS } from './live-protocol.ts';
export type { ClientMessage, LatencySummary, LiveLatencyMode, LiveTransport, Percentiles, ServerMessage, SessionEndReason, SessionErrorCode } from './live-protocol.ts';
export { sortableIdKind } from './sortable-id.ts';
export type { SortableIdKind } from './sortable-id.ts';
