// SIP status codes <-> contract hangup causes, in one place.
import type { HangupCause } from '../../driver.js';
import type { Refusal } from './signaling.js';

export type RefusalCause = Exclude<HangupCause, 'normal' | 'media-timeout' | 'transferred'>;

const REFUSALS: Record<RefusalCause, Refusal> = {
  busy: { status: 486, reason: 'Busy Here' },
  rejected: { status: 603, reason: 'Decline' },
  'no-answer': { status: 480, reason: 'Temporarily Unavailable' },
  unreachable: { status: 404, reason: 'Not Found' },
  cancelled: { status: 487, reason: 'Request Terminated' },
  failed: { status: 500, reason: 'Server Internal Error' },
  'server-shutdown': { status: 503, reason: 'Service Unavailable' },
  'line-lost': { status: 480, reason: 'Temporarily Unavailable' },
};

export function refusalFor(cause: RefusalCause): Refusal {
  return REFUSALS[cause];
}

/** The cause for a final error response to an INVITE we sent. */
export function causeForStatus(status: number): HangupCause {
  if (status === 486 || status === 600) return 'busy';
  if (status === 603 || status === 403 || status === 607 || status === 608) return 'rejected';
  if (status === 408 || status === 480) return 'no-answer';
  if (status === 487) return 'cancelled';
  if (status === 404 || status === 484 || status === 604 || status === 410) return 'unreachable';
  if (status === 503) return 'unreachable';
  return 'failed';
}
