export { startSessionHost } from './session-host.ts';
export type { SessionHost, SessionHostOptions } from './session-host.ts';
export type { HostedSessionEnd } from './hosted-session.ts';
export { parseStreamRequest, streamPath } from './stream-request.ts';
export type { StreamRequest } from './stream-request.ts';
export { UPGRADE_REFUSALS } from './upgrade-refusal.ts';
export type { UpgradeRefusal } from './upgrade-refusal.ts';
