// Answering-machine detection: the pure detector (fed PCM frames) and its live use on a media leg.
export { AmdDetector, AMD_DEFAULTS, AMD_FRAME_MS, AMD_FRAME_SAMPLES, type AmdThresholds } from './detector.js';
export { analyseTone, ToneTracker, type ToneFrame } from './tone.js';
export { detectOnLeg } from './on-leg.js';
