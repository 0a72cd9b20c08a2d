export { buildGateway } from './build-gateway.ts';
export type { BuildGatewayOptions, Gateway } from './build-gateway.ts';
export { loadGatewayConfig, parseApiKeyList, resolveGatewayConfig } from './config.ts';
export type { GatewayConfig, GatewayLimits, InputFetchPolicy, ResolvedGatewayConfig } from './config.ts';
export { GATEWAY_ERRORS, GatewayError, isGatewayError } from './errors.ts';
export type { GatewayErrorCode } from './errors.ts';
export { PRIORITY } from './api-schemas.ts';
export { renderPlaylist } from './live-playlist.ts';
