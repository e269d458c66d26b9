export {
  PCMU, PCMA, g711ForPayloadType, transcodeG711,
  encodeUlaw, decodeUlaw, encodeAlaw, decodeAlaw, ulawToAlaw, alawToUlaw,
} from './g711.js';
export type { G711Codec, G711Name } from './g711.js';
export {
  DTMF_DIGITS, digitToEvent, eventToDigit, encodeTelephoneEvent, decodeTelephoneEvent, DtmfReceiver, planDigit,
} from './dtmf.js';
export type { TelephoneEvent, DtmfSendPlan } from './dtmf.js';
export { AudioCache } from './audio-cache.js';
export { PromptLibrary, UnknownPromptError, defaultPromptsDir } from './prompts.js';
export type { PromptManifest } from './prompts.js';
export { startPacer } from './pacer.js';
export type { Pacer } from './pacer.js';
export { LegOutput, FRAME_MS, FRAME_SAMPLES } from './output.js';
export type { OutputSink, OutputSource, OutputTap } from './output.js';
export { MediaLeg, MediaLegBusyError } from './leg.js';
export type { MediaLegOptions, MediaLegEvents, MediaLegMode, AudioFrame } from './leg.js';
export { playOnLeg, FrameReader, interruptDigits, ALL_DIGITS } from './player.js';
export type { PlayerDeps, PlayOnLegOptions } from './player.js';
export { recordOnLeg, frameRms } from './recorder.js';
export type { RecordOnLegOptions } from './recorder.js';
export { recordCallOnLeg } from './call-recorder.js';
export type { RecordCallOptions } from './call-recorder.js';
export { collectDigits } from './collect.js';
export { MediaBridge, MediaMonitor, MediaEcho } from './bridge.js';
export type { BridgeSide, MediaBridgeOptions, MediaBridgeEvents } from './bridge.js';
export { MediaEngine } from './engine.js';
export type { MediaEngineOptions, OpenLegOptions, MediaEngineStats } from './engine.js';
export { AmdDetector, AMD_DEFAULTS, AMD_FRAME_MS, AMD_FRAME_SAMPLES, detectOnLeg, analyseTone, ToneTracker } from './amd/index.js';
export type { AmdThresholds, ToneFrame } from './amd/index.js';
