export { createIdleMotion } from './idle-motion.ts';
export type { IdleMotion, IdleMotionOptions, IdleState } from './idle-motion.ts';
export { MOUTH_CHANNELS, REST_MOUTH } from './rest-pose.ts';
