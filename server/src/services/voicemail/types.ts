// The voicemail service as the rest of Tenor sees it: the IVR's `voicemail`
// node, ACD queue exits to a box, and the REST routes all go through this.

import type { Call } from '@tenor/telephony';
import type { VoicemailReportReader } from './report-reader.js';

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
  /** The ACD queue a callback from this box goes to ('queue:<name>' boxes: that queue; others: from config, else none). */
  queue: string | undefined;
  /** Language of the default greeting (en unless configured). */
  language: string;
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
  /** When the e-mail notification was accepted by the SMTP server (undefined: not sent, or no SMTP). */
  notifiedAt: string | undefined;
  /** Why the last e-mail notification failed (cleared when one is sent). */
  notifyError: string | undefined;
  /** The ACD callback entry created from this message, if one was. */
  callbackEntryId: string | undefined;
}

export interface MessageFilter {
  /** Only these boxes (an agent's visible boxes); absent: all. */
  boxes?: readonly string[];
  box?: string;
  status?: VoicemailStatus;
  limit?: number;
  offset?: number;
}

export interface LeaveMessageOptions {
  box: string;
  customerId?: string;
  language?: string;
}

export interface VoicemailService {
  boxes(): VoicemailBox[];
  box(name: string): VoicemailBox | undefined;
  /** The boxes an agent may read: their own, and those of the queues they serve. */
  boxesFor(agentLogin: string): VoicemailBox[];
  /**
   * Play the box's greeting, record after the beep until silence, the maximum
   * length or '#', save the message and notify. Resolves with the message, or
   * undefined when the caller left nothing (hung up before speaking).
   */
  leaveMessage(call: Call, opts: LeaveMessageOptions): Promise<VoicemailMessage | undefined>;

  /** Messages, newest first. */
  messages(filter?: MessageFilter): Promise<VoicemailMessage[]>;
  message(id: string): Promise<VoicemailMessage | undefined>;
  /** Moves a message forward (new → heard → handled; new → handled marks it heard too). Idempotent for the same status. */
  setStatus(id: string, status: Exclude<VoicemailStatus, 'new'>, by: string): Promise<VoicemailMessage>;
  /** Asks the ACD to call the caller back from `queue` (default: the box's queue). Returns the ACD entry id. */
  requestCallback(id: string, opts: { queue?: string; priority?: number; by: string }): Promise<{ entryId: string; queue: string }>;
  /** Replaces a box's greeting with an uploaded WAV (any common format; converted to 8 kHz mono). */
  setGreeting(box: string, wav: Uint8Array): Promise<VoicemailBox>;
  /** Back to the default greeting. */
  clearGreeting(box: string): Promise<VoicemailBox>;
  /** Messages left on these calls, by call id (for the call record). */
  messagesForCalls(callIds: readonly string[]): Promise<Map<string, VoicemailMessage[]>>;
  /** Deletes messages (rows and files) older than the retention period; returns how many. */
  purgeExpired(): Promise<number>;
  /** Resolves once no e-mail notification is being sent (retries waiting on their timer do not count). */
  notificationsSettled(): Promise<void>;
}

/** The running voicemail service: the above, and what the reports read of the stored messages. */
export interface VoicemailServiceHandle extends VoicemailService {
  readonly reportReader: VoicemailReportReader;
}

declare module '../../core/service-manager.js' {
  interface ServiceMap {
    voicemail: VoicemailServiceHandle;
  }
}
