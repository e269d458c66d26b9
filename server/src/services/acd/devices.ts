// How an agent is reached: the device abstraction. The ACD asks a device to
// "offer" a contact and gets back the agent's answered leg; it never knows
// whether that was a registered softphone, a home number through a trunk, or a
// persistent line that was already connected (no ringing). A browser phone
// will be a fourth kind behind the same interface.

import { OriginateError, type Call, type CallParty, type DialTarget, type TelephonyDriver } from '@tenor/telephony';
import type { AgentDevice } from './model.js';

export interface OfferOptions {
  timeoutMs: number;
  callerId: CallParty;
  signal: AbortSignal;
}

export interface AgentDeviceLine {
  /** True when an offer rings the agent (false for a persistent line: the caller is bridged straight in). */
  readonly rings: boolean;
  /** Reach the agent: resolves with the agent's answered leg, rejects (OriginateError) when it does not answer. */
  offer(opts: OfferOptions): Promise<Call>;
  /** The contact is over: hang up the agent's leg, or for a persistent line keep it up for the next caller. */
  finish(leg: Call): Promise<void>;
}

/** Where a device is dialed: softphones by user name, numbers through a trunk. */
export function dialTarget(device: AgentDevice, login: string): DialTarget {
  switch (device.type) {
    case 'softphone':
      return { kind: 'device', user: device.user ?? login };
    case 'webrtc':
      // The desktop's phone registers over the web login's WebSocket as the login itself.
      return { kind: 'device', user: login };
    case 'external':
      return { kind: 'number', number: device.number, ...(device.trunk !== undefined ? { trunk: device.trunk } : {}) };
    case 'persistent':
      return device.number !== undefined
        ? { kind: 'number', number: device.number, ...(device.trunk !== undefined ? { trunk: device.trunk } : {}) }
        : { kind: 'device', user: login };
  }
}

/**
 * The SIP user name an agent's phone registers to Tenor as (and so needs a device secret for);
 * undefined for a device Tenor reaches through a trunk.
 */
export function sipDeviceUser(device: AgentDevice, login: string): string | undefined {
  // A browser phone proves who it is with the web session, never a device secret.
  if (device.type === 'webrtc') return undefined;
  const target = dialTarget(device, login);
  return target.kind === 'device' ? target.user : undefined;
}

/** A softphone or an external number: each offer places a new call that rings. */
export class DialedDevice implements AgentDeviceLine {
  readonly rings = true;

  constructor(
    private readonly driver: TelephonyDriver,
    private readonly target: DialTarget,
  ) {}

  offer(opts: OfferOptions): Promise<Call> {
    return this.driver.originate(this.target, { timeoutMs: opts.timeoutMs, callerId: opts.callerId, signal: opts.signal });
  }

  async finish(leg: Call): Promise<void> {
    if (leg.state !== 'ended') await leg.hangup('normal');
  }
}

/**
 * A persistent line: the agent's phone is called once at login and stays
 * connected; each caller is bridged into it without ringing.
 */
export class PersistentLine implements AgentDeviceLine {
  readonly rings = false;
  #leg: Call | undefined;

  constructor(
    private readonly driver: TelephonyDriver,
    private readonly target: DialTarget,
  ) {}

  get connected(): boolean {
    return this.#leg !== undefined && this.#leg.state === 'answered';
  }

  get leg(): Call | undefined {
    return this.#leg;
  }

  /** Call the agent's phone and keep the call; resolves once answered. */
  async connect(opts: { timeoutMs: number; callerId: CallParty }): Promise<Call> {
    this.#leg = await this.driver.originate(this.target, { timeoutMs: opts.timeoutMs, callerId: opts.callerId });
    return this.#leg;
  }

  async offer(): Promise<Call> {
    const leg = this.#leg;
    if (!leg || leg.state !== 'answered') throw new OriginateError('unreachable', 'the persistent line is not connected');
    return leg;
  }

  /** The line stays up for the next caller. */
  async finish(): Promise<void> {}

  async disconnect(): Promise<void> {
    const leg = this.#leg;
    this.#leg = undefined;
    if (leg && leg.state !== 'ended') await leg.hangup('normal');
  }
}
