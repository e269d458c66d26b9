// The dialing service's event on the bus: an outbound leg the policy refused
// (supervisors see it on the live monitor; an agent sees the ones naming them).

import type { NumberClass } from './config-schema.js';
import type { DialPurpose, RefusalReason } from './policy.js';

export interface DialingEvents {
  dialing_refused: {
    /** The number as classified (E.164 when it could be read as one), or the SIP address. */
    number: string;
    class: NumberClass | 'address';
    purpose: DialPurpose;
    reason: RefusalReason;
    detail: string;
    trunk: string | null;
    /** The call the request came from (a waiting caller, the agent's connected call), when there is one. */
    callId: string | null;
    agent: string | null;
  };
}

declare module '../../core/events.js' {
  interface TenorEvents extends DialingEvents {}
}
