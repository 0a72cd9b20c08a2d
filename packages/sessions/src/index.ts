export { registerSessionHost } from './host-registration.ts';
export type { RegisteredHost, SessionHostRegistration } from './host-registration.ts';
export { createSessionId, createSessionToken, hashSessionToken, isSessionId, SESSION_ID_PATTERN_SOURCE } from './session-id.ts';
export { sessionKeys } from './session-keys.ts';
export type { SessionKeys } from './session-keys.ts';
export type { SessionEndReason, SessionOptions, SessionRecord, SessionStatus } from './session-record.ts';
export { isPlaced, SessionStore } from './session-store.ts';
export type { ClaimResult, NoRoom, PlacedSession, RequestEndResult, SessionStoreOptions } from './session-store.ts';
