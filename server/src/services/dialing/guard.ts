// The one door every outbound leg goes through: a telephony driver whose
// originate checks the dialing policy (number class, prefixes, caps) before
// the engine dials a number or a SIP address. Calls to registered devices
// (softphones by user name) stay inside the site and pass straight through.
// The telephony service wraps whatever driver it starts, so no service can
// dial around the policy.

import { OriginateError, type Call, type DialTarget, type OriginateOptions, type TelephonyDriver } from '@tenor/telephony';
import type { TenorError } from '../../core/errors.js';
import type { Lease } from './caps.js';
import type { RefusalReason } from './policy.js';

/** Thrown by a guarded originate: a failed call to its callers (they already handle those), with the coded error inside. */
export class DialingRefusedError extends OriginateError {
  readonly refusal: TenorError;
  readonly reason: RefusalReason;
  constructor(refusal: TenorError, reason: RefusalReason) {
    super('rejected', refusal.message);
    this.name = 'DialingRefusedError';
    this.refusal = refusal;
    this.reason = reason;
  }

  /** True when the number itself is refused (it always will be); false for a cap, which frees up later. */
  get permanent(): boolean {
    return !CAP_REASONS.includes(this.reason);
  }
}

const CAP_REASONS: readonly RefusalReason[] = ['site-concurrent', 'site-per-hour', 'trunk-concurrent', 'trunk-per-hour'];

export interface LegGate {
  /** Admit one leg to `target` through `trunk` (undefined: not a trunk call); throws DialingRefusedError when refused. */
  admitLeg(target: Exclude<DialTarget, { kind: 'device' }>, trunk: string | undefined): Lease;
}

export function guardDriver(driver: TelephonyDriver, gate: LegGate, defaultTrunk: () => string | undefined): TelephonyDriver {
  const originate = async (target: DialTarget, opts?: OriginateOptions): Promise<Call> => {
    if (target.kind === 'device') return driver.originate(target, opts);
    const lease = gate.admitLeg(target, target.kind === 'number' ? target.trunk ?? defaultTrunk() : undefined);
    let call: Call;
    try {
      call = await driver.originate(target, opts);
    } catch (err) {
      lease.release();
      throw err;
    }
    if (call.state === 'ended') lease.release();
    else call.once('hangup', () => lease.release());
    return call;
  };
  return new Proxy(driver, {
    get(target, prop) {
      if (prop === 'originate') return originate;
      const value: unknown = Reflect.get(target, prop, target);
      // The engine's methods use its private fields: call them on the engine itself.
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
