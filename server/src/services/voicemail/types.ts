// The voicemail service as the rest of Tenor sees it: the IVR's `voicemail`
// node, ACD queue exits to a box, and the REST routes all go through this.

import type { Call } from '@tenor/telephony';

export type VoicemailStatus = 'new' | 'heard' | 'handled';

export interface VoicemailBox {
  /** 'general', 'queue:<name>' or 'agent:<login>', or a name the site gave. */
  name: string;
  kind: 'general' | 'queue' | 'agent';
  /** E-mail addresses told of each new message (with the WAV attached). */
  notify: readonly string[];
  /** An uploaded greeting (WAV path), else the default "leave a message" prompt. */
  greeting: string | undefined;
  maxSeconds: number;
  silenceSeconds: number;
}

export interface VoicemailMessage {
  id: string;
  box: string;
  callId: string;
  callerNumber: string;
  customerId: string | undefined;
  durationMs: number;
  receivedAt: string;
  status: VoicemailStatus;
  heardAt: string | undefined;
  handledAt: string | undefined;
  handledBy: string | undefined;
  /** Path of the WAV file under the data directory. */
  file: string;
}

export interface LeaveMessageOptions {
  box: string;
  customerId?: string;
  language?: string;
}

export interface VoicemailService {
  boxes(): VoicemailBox[];
  box(name: string): VoicemailBox | undefined;
  /**
   * Play the box's greeting, record after the beep until silence, the maximum
   * length or '#', save the message and notify. Resolves with the message, or
   * undefined when the caller left nothing (hung up before speaking).
   */
  leaveMessage(call: Call, opts: LeaveMessageOptions): Promise<VoicemailMessage | undefined>;
}

declare module '../../core/service-manager.js' {
  interface ServiceMap {
    voicemail: VoicemailService;
  }
}
