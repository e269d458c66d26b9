// What every part of the engine asks about the engine as a whole: the SIP
// stack once started, and whether it is shutting down or refusing new calls.
import type { SipStack } from '../sip/stack.js';

export class EngineState {
  /** Set by start, cleared by stop. */
  stack: SipStack | undefined;
  /** Set by stop: INVITEs being set up notice it and give up. */
  stopping = false;
  /** Set by refuseNewCalls: calls in progress go on, new ones are refused. */
  refusing = false;

  requireStack(): SipStack {
    if (!this.stack) throw new Error('embedded driver is not started');
    return this.stack;
  }
}
