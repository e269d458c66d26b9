// The telephony primitive call recording uses (the driver contract's
// Call.startRecording, docs/telephony.md), seen structurally: a driver whose
// calls cannot record yet makes the recording fail (logged, row `failed`),
// never the call.

export interface CallRecordingOptions {
  /** Where to write the WAV: 8 kHz, 16-bit, 2 channels. Its folder exists. */
  file: string;
  signal?: AbortSignal;
}

export interface CallRecordingResult {
  file: string;
  durationMs: number;
}

export interface CallRecording {
  readonly file: string;
  /** Milliseconds of the file written so far (paused spans included). */
  readonly elapsedMs: number;
  readonly paused: boolean;
  pause(): void;
  resume(): void;
  stop(): Promise<CallRecordingResult>;
}

interface RecordableCall {
  startRecording(opts: CallRecordingOptions): Promise<CallRecording>;
}

function canRecord(call: object): call is RecordableCall {
  return typeof (call as Partial<RecordableCall>).startRecording === 'function';
}

/** Start the stereo recording of a call (customer left, what they hear right). */
export function startCallRecording(call: object, opts: CallRecordingOptions): Promise<CallRecording> {
  if (!canRecord(call)) return Promise.reject(new Error('this telephony engine cannot record calls'));
  return call.startRecording(opts);
}
