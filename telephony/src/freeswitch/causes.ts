// FreeSWITCH hangup causes (Q.850 names, as in Hangup-Cause and in originate's
// -ERR replies) to the contract's HangupCause, and back for the causes Tenor
// hangs up or refuses with.
import type { HangupCause } from '../driver.js';

const FROM_FS: Record<string, HangupCause> = {
  NORMAL_CLEARING: 'normal',
  NORMAL_UNSPECIFIED: 'normal',
  USER_BUSY: 'busy',
  NO_ANSWER: 'no-answer',
  NO_USER_RESPONSE: 'no-answer',
  ALLOTTED_TIMEOUT: 'no-answer',
  PROGRESS_TIMEOUT: 'no-answer',
  CALL_REJECTED: 'rejected',
  ORIGINATOR_CANCEL: 'cancelled',
  LOSE_RACE: 'cancelled',
  PICKED_OFF: 'cancelled',
  UNALLOCATED_NUMBER: 'unreachable',
  NO_ROUTE_DESTINATION: 'unreachable',
  NO_ROUTE_TRANSIT_NET: 'unreachable',
  USER_NOT_REGISTERED: 'unreachable',
  SUBSCRIBER_ABSENT: 'unreachable',
  DESTINATION_OUT_OF_ORDER: 'unreachable',
  NETWORK_OUT_OF_ORDER: 'unreachable',
  RECOVERY_ON_TIMER_EXPIRE: 'unreachable',
  NORMAL_TEMPORARY_FAILURE: 'unreachable',
  NUMBER_CHANGED: 'unreachable',
  INVALID_NUMBER_FORMAT: 'unreachable',
  MEDIA_TIMEOUT: 'media-timeout',
  SYSTEM_SHUTDOWN: 'server-shutdown',
  MANAGER_REQUEST: 'server-shutdown',
  BLIND_TRANSFER: 'transferred',
  ATTENDED_TRANSFER: 'transferred',
};

/** The contract's cause for a FreeSWITCH cause name; anything unknown is 'failed'. */
export function causeFromFreeSwitch(name: string | undefined): HangupCause {
  return (name && FROM_FS[name.trim()]) || 'failed';
}

const TO_FS: Record<HangupCause, string> = {
  normal: 'NORMAL_CLEARING',
  busy: 'USER_BUSY',                          // 486
  'no-answer': 'NO_ANSWER',                   // 480
  rejected: 'CALL_REJECTED',                  // 603
  cancelled: 'ORIGINATOR_CANCEL',             // 487
  unreachable: 'NORMAL_TEMPORARY_FAILURE',    // 503: try again elsewhere or later
  failed: 'NORMAL_UNSPECIFIED',
  'media-timeout': 'MEDIA_TIMEOUT',
  'server-shutdown': 'SYSTEM_SHUTDOWN',
  transferred: 'BLIND_TRANSFER',
  'line-lost': 'NORMAL_TEMPORARY_FAILURE',     // the agent's line went away: the call may be tried again elsewhere
};

export function causeToFreeSwitch(cause: HangupCause): string {
  return TO_FS[cause];
}

/** The cause named in an originate reply ("-ERR USER_BUSY"). */
export function causeOfOriginateReply(text: string): HangupCause {
  const name = text.replace(/^-ERR\s*/, '').split(/\s/)[0];
  return causeFromFreeSwitch(name);
}
