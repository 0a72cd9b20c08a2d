// The local farm runner and the demo job, for `portrait-farm up` / `demo` and for the end-to-end tests and benchmarks
// (package export "portrait-farm/local-farm").
export { isLocalFarmError, LOCAL_FARM_ERRORS, LocalFarmError } from './errors.ts';
export type { LocalFarmErrorCode } from './errors.ts';
export { localFarmApiKeys, startLocalFarm } from './local-farm.ts';
export type { LocalFarm, LocalFarmOptions } from './local-farm.ts';
export { reserveDemoReceiver, runDemoJob } from './demo-run.ts';
export type { DemoJobOptions, DemoJobResult } from './demo-run.ts';
