export { calibrateRest, evaluateRenders, clipsInFolder, summarise, summaryTable } from './evaluate-render.ts';
export type { ClipEvaluation, EvaluateOptions, EvaluationClip, EvaluationSummary, RestCalibration } from './evaluate-render.ts';
export { median, REST_MARGIN, thresholdsForRest, writeRestAudio } from './rest-calibration.ts';
export { mouthOpening, scorePhones, pearson, bestLag, rigidJitter, rigidShapeDrift, seamRatio, DEFAULT_THRESHOLDS, RIGID_POINTS } from './mouth-metrics.ts';
export type { FrameLandmarks, MouthThresholds, PhoneScores } from './mouth-metrics.ts';
export { phoneClass, framesOf, BILABIALS, OPEN_VOWELS, SILENCES } from './phones.ts';
export type { TimedPhone } from './phones.ts';
export { saveMouthSheet } from './mouth-sheet.ts';
export type { MouthSheetOptions } from './mouth-sheet.ts';
