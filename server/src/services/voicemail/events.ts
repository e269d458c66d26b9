// Voicemail's events on the bus (noun + past tense, plain JSON payloads).

import type { VoicemailStatus } from './types.js';

export interface VoicemailEvents {
  voicemail_received: { id: string; box: string; callId: string; callerNumber: string; customerId: string | undefined; durationMs: number; receivedAt: string };
  voicemail_status_changed: { id: string; box: string; from: VoicemailStatus; to: VoicemailStatus; by: string };
}

declare module '../../core/events.js' {
  interface TenorEvents extends VoicemailEvents {}
}
