export { startLiveSession } from './live-session.ts';
export type { LiveClock, LiveEvent, LiveFrame, LiveSession, LiveSessionOptions, LiveStats } from './live-session.ts';
export { SlotPlanner } from './slot-planner.ts';
export type { PlannedUtterance, PlannerEvents, RestMotion, RestState, SlotPlan } from './slot-planner.ts';
export { SpeechStepper } from './speech-stepper.ts';
export type { StepperShape, StepperTiming, UtteranceRows } from './speech-stepper.ts';
export type { FrameTimes, UtteranceFeatures } from './utterance.ts';
export { streamFeatures } from './stream-features.ts';
