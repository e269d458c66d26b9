// One ACD call while an agent works it: the customer's leg and the agent's leg,
// the bridge between them, hold, and a consult leg for an attended transfer.
// It owns the legs' audio only; connected work (connected-work.ts) keeps agent states and the call
// record and decides where a transferred customer goes.
//
// Hold is done here, not with Call.hold: the two legs are unbridged and the
// customer hears the queue's music played on their own leg. That needs nothing
// of the customer's carrier (no re-INVITE), works the same on every driver,
// and leaves the agent's leg free to be bridged to a consult party, which a
// held bridge (Call.hold while bridged) would not.

import type { Logger } from 'pino';
import type { Bridge, Call, Prompt, TelephonyDriver } from '@tenor/telephony';
import { TenorError } from '../../core/errors.js';
import type { Clock } from './clock.js';
import { isLive } from './session.js';

export type TransferTarget =
  | { type: 'agent'; agent: string }
  | { type: 'queue'; queue: string }
  | { type: 'number'; number: string; trunk?: string };

/** Why a party reached for a transfer or a consult does not (or no longer) talks to the customer. */
export type PartyDrop = 'failed' | 'cancelled' | 'hung-up' | 'call-ended';

/** An agent or a number the customer may be handed to; the call controls dial it and keeps its state. */
export interface TransferParty {
  readonly target: TransferTarget;
  /** Reach the party: resolves with its answered leg, rejects when it does not answer. */
  dial(signal: AbortSignal): Promise<Call>;
  /** The party will not take the customer: release its leg (if any) and its state. */
  drop(leg: Call | undefined, why: PartyDrop): Promise<void>;
}

/** How the call ended for this agent. */
export type ConnectedEnd<P extends TransferParty = TransferParty> =
  | { how: 'customer-hung-up' }
  | { how: 'agent-hung-up' }
  /** The agent's phone lost its connection (cause line-lost): the customer's leg is up and idle, for connected work to re-queue. */
  | { how: 'line-lost' }
  /** Blind transfer: the customer's leg is up and idle; `party` is set for agents and numbers (already reserved). */
  | { how: 'blind'; target: TransferTarget; party: P | undefined }
  /** Attended transfer completed: the customer's leg and the party's answered leg are up and idle, for connected work to bridge. */
  | { how: 'attended'; party: P; leg: Call };

/**
 * An agent's connected call as the ACD knows it; GET /api/agents/:login/call
 * adds the supervisors monitoring it (docs/acd.md, "Call controls").
 */
export interface ConnectedCallView {
  callId: string;
  recordId: string;
  queue: string | null;
  kind: 'call' | 'callback';
  caller: { number: string; customerId: string | null; customerName: string | null };
  answeredAt: string;
  held: boolean;
  consult: { target: TransferTarget; state: 'dialing' | 'talking' } | null;
}

export type CallControlAction = 'hold' | 'unhold' | 'hangup' | 'transfer' | 'consult' | 'consult-answered' | 'consult-complete' | 'consult-cancel' | 'consult-ended';

/** Something that happened on its own (not asked through a control). */
export type ConnectedChange = 'consult-answered' | 'consult-ended' | 'consult-complete';

export interface ConnectedCallOptions {
  driver: TelephonyDriver;
  clock: Clock;
  log: Logger;
  customer: Call;
  agentLeg: Call;
  /** What the customer hears on hold (the queue's music). */
  music: Prompt;
  /** The agent leaves the call: hang up their leg (or keep a persistent line up). */
  releaseAgentLeg(leg: Call): Promise<void>;
  onChange(change: ConnectedChange, target: TransferTarget): void;
}

interface Consult<P extends TransferParty> {
  party: P;
  state: 'dialing' | 'talking';
  abort: AbortController;
  leg: Call | undefined;
  bridge: Bridge | undefined;
  onHangup: (() => void) | undefined;
}

export class ConnectedCall<P extends TransferParty = TransferParty> {
  readonly customer: Call;
  readonly agentLeg: Call;
  readonly ended: Promise<ConnectedEnd<P>>;
  readonly #o: ConnectedCallOptions;
  #resolve!: (end: ConnectedEnd<P>) => void;
  #bridge: Bridge | undefined;
  #music: { stop: AbortController; done: Promise<unknown> } | undefined;
  #heldSince: number | undefined;
  #holdMs = 0;
  #consult: Consult<P> | undefined;
  #over = false;
  /** Controls run one after the other: a hold and a consult asked at once never interleave their awaits. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(opts: ConnectedCallOptions) {
    this.#o = opts;
    this.customer = opts.customer;
    this.agentLeg = opts.agentLeg;
    this.ended = new Promise((resolve) => (this.#resolve = resolve));
  }

  get held(): boolean {
    return this.#heldSince !== undefined;
  }

  /** Hold time so far, the current hold included. */
  get holdMs(): number {
    return this.#holdMs + (this.#heldSince !== undefined ? this.#o.clock.now() - this.#heldSince : 0);
  }

  get consult(): { target: TransferTarget; state: 'dialing' | 'talking' } | null {
    const c = this.#consult;
    return c ? { target: c.party.target, state: c.state } : null;
  }

  /** The two legs while they are bridged (not on hold, not in a consult). */
  get bridgedLegs(): { customer: Call; agent: Call } | undefined {
    return this.#bridge ? { customer: this.customer, agent: this.agentLeg } : undefined;
  }

  /**
   * Connect the customer and the agent and follow both legs. `prepare` runs
   * first (a whisper to the agent, the queue's music stopping); controls asked
   * meanwhile wait for the connection.
   */
  start(prepare?: () => Promise<void>): Promise<void> {
    this.customer.once('hangup', this.#onCustomerHangup);
    this.agentLeg.once('hangup', this.#onAgentHangup);
    const run = (async () => {
      await prepare?.();
      if (!isLive(this.customer)) return this.#end({ how: 'customer-hung-up' });
      if (!isLive(this.agentLeg)) return this.#agentHungUp();
      await this.#connectAgent();
    })();
    this.#queue = this.#settled(run, 'connecting');
    return run;
  }

  hold(): Promise<void> {
    return this.#serial('hold', async () => {
      if (this.#consult) throw callState('hold', 'the customer is already on hold for a consult');
      if (this.held) throw callState('hold', 'the call is already on hold');
      await this.#putOnHold();
    });
  }

  unhold(): Promise<void> {
    return this.#serial('take off hold', async () => {
      if (this.#consult) throw callState('take off hold', 'a consult is in progress; complete or cancel it');
      if (!this.held) throw callState('take off hold', 'the call is not on hold');
      await this.#connectAgent();
    });
  }

  /** The agent ends the call: the customer's leg is hung up. */
  hangup(): Promise<void> {
    return this.#serial('hang up', async () => {
      await this.#end({ how: 'agent-hung-up' });
    });
  }

  /** Blind transfer: the agent leaves at once; connected work takes the customer on. */
  blindTransfer(target: TransferTarget, party: P | undefined): Promise<void> {
    return this.#serial('transfer', async () => {
      if (this.#consult) throw callState('transfer', 'a consult is in progress; complete or cancel it');
      await this.#end({ how: 'blind', target, party });
    });
  }

  /** Put the customer on hold and call the party; the agent talks to them once they answer. */
  startConsult(party: P): Promise<void> {
    return this.#serial('consult', async () => {
      if (this.#consult) throw callState('consult', 'a consult is already in progress');
      if (!this.held) await this.#putOnHold();
      const consult: Consult<P> = { party, state: 'dialing', abort: new AbortController(), leg: undefined, bridge: undefined, onHangup: undefined };
      this.#consult = consult;
      void this.#dialConsult(consult).catch((err: unknown) => this.#o.log.error({ err, callId: this.customer.id }, 'consult failed'));
    });
  }

  /** Hand the customer to the consulted party; the agent leaves. */
  completeConsult(): Promise<void> {
    return this.#serial('complete the transfer', async () => {
      const c = this.#consult;
      if (!c) throw callState('complete the transfer', 'there is no consult');
      if (c.state !== 'talking' || !c.leg) throw callState('complete the transfer', 'the consulted party has not answered yet');
      await this.#handOver(c, c.leg);
    });
  }

  /** End the consult leg and go back to the customer, off hold. */
  cancelConsult(): Promise<void> {
    return this.#serial('cancel the consult', async () => {
      const c = this.#consult;
      if (!c) throw callState('cancel the consult', 'there is no consult');
      await this.#dropConsult(c, 'cancelled');
      await this.#connectAgent();
    });
  }

  // ---- internals ----

  readonly #onCustomerHangup = (): void => void this.#end({ how: 'customer-hung-up' });
  readonly #onAgentHangup = (): void => void this.#agentHungUp();

  #serial(action: string, op: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(async () => {
      if (this.#over) throw callState(action, 'the call has ended');
      await op();
    });
    this.#queue = this.#settled(run, action);
    return run;
  }

  /**
   * The next control waits for `run` whatever its outcome; its error goes to
   * whoever asked for it (the promise returned), so here it is only noted.
   */
  #settled(run: Promise<void>, action: string): Promise<void> {
    return run.catch((err: unknown) => this.#o.log.debug({ err, callId: this.customer.id, action }, 'call control failed; the next one goes on'));
  }

  /** Customer and agent talk: music off, legs bridged. */
  async #connectAgent(): Promise<void> {
    await this.#stopMusic();
    if (this.#heldSince !== undefined) {
      this.#holdMs += this.#o.clock.now() - this.#heldSince;
      this.#heldSince = undefined;
    }
    if (this.#over || !isLive(this.customer) || !isLive(this.agentLeg)) return;
    this.#bridge = await this.#o.driver.bridge(this.customer, this.agentLeg);
    if (this.#over) await this.#bridge.unbridge();
  }

  async #putOnHold(): Promise<void> {
    const bridge = this.#bridge;
    this.#bridge = undefined;
    await bridge?.unbridge();
    this.#heldSince = this.#o.clock.now();
    this.#startMusic();
    this.#o.log.info({ callId: this.customer.id }, 'customer on hold');
  }

  #startMusic(): void {
    if (this.#music || !isLive(this.customer)) return;
    const stop = new AbortController();
    const done = this.customer.play({ prompts: [this.#o.music], loop: true, signal: stop.signal })
      .catch((err: unknown) => this.#o.log.error({ err, callId: this.customer.id }, 'music on hold failed'));
    this.#music = { stop, done };
  }

  /** Resolves once the music has stopped, so the leg is free to be bridged. */
  async #stopMusic(): Promise<void> {
    const music = this.#music;
    this.#music = undefined;
    music?.stop.abort();
    await music?.done;
  }

  async #dialConsult(c: Consult<P>): Promise<void> {
    let leg: Call;
    try {
      leg = await c.party.dial(c.abort.signal);
    } catch (err) {
      this.#o.log.info({ err, callId: this.customer.id, target: c.party.target }, 'consulted party not reached');
      if (this.#consult === c) {
        this.#consult = undefined;
        this.#o.onChange('consult-ended', c.party.target);
      }
      await c.party.drop(undefined, c.abort.signal.aborted ? 'cancelled' : 'failed');
      return;
    }
    // Bridged in turn with the controls, so a cancel asked while it rang never meets a half-made bridge.
    const connect = this.#serial('connect the consulted party', async () => {
      if (this.#consult !== c || !isLive(this.agentLeg)) throw callState('connect the consulted party', 'the consult was cancelled');
      c.leg = leg;
      c.onHangup = () => void this.#consultHungUp(c);
      leg.once('hangup', c.onHangup);
      c.bridge = await this.#o.driver.bridge(this.agentLeg, leg);
      // The call may have ended while the bridge was being made (hangups are not serialized).
      if (this.#over || this.#consult !== c) throw callState('connect the consulted party', 'the call has ended');
      c.state = 'talking';
    });
    try {
      await connect;
    } catch {
      if (c.onHangup) leg.off('hangup', c.onHangup);
      await c.bridge?.unbridge();
      if (this.#consult === c) this.#consult = undefined;
      await c.party.drop(leg, this.#over ? 'call-ended' : 'cancelled');
      return;
    }
    this.#o.log.info({ callId: this.customer.id, target: c.party.target, consultCallId: leg.id }, 'consulted party answered');
    this.#o.onChange('consult-answered', c.party.target);
  }

  /** The consulted party hung up: the customer stays on hold with the agent. */
  async #consultHungUp(c: Consult<P>): Promise<void> {
    if (this.#consult !== c) return;
    await this.#dropConsult(c, 'hung-up');
    this.#o.onChange('consult-ended', c.party.target);
  }

  async #dropConsult(c: Consult<P>, why: PartyDrop): Promise<void> {
    if (this.#consult === c) this.#consult = undefined;
    if (c.state === 'dialing') {
      // #dialConsult drops the party when the dial settles.
      c.abort.abort();
      return;
    }
    if (c.onHangup) c.leg?.off('hangup', c.onHangup);
    await c.bridge?.unbridge();
    await c.party.drop(c.leg, why);
  }

  async #handOver(c: Consult<P>, leg: Call): Promise<void> {
    this.#consult = undefined;
    if (c.onHangup) leg.off('hangup', c.onHangup);
    await c.bridge?.unbridge();
    await this.#end({ how: 'attended', party: c.party, leg });
  }

  async #agentHungUp(): Promise<void> {
    const c = this.#consult;
    // Hanging up while talking to the consulted party hands the customer over, as on a desk phone.
    if (c && c.state === 'talking' && c.leg && isLive(c.leg) && isLive(this.customer)) {
      this.#o.onChange('consult-complete', c.party.target);
      return this.#handOver(c, c.leg);
    }
    if (this.agentLeg.hangupCause === 'line-lost' && isLive(this.customer)) return this.#end({ how: 'line-lost' });
    await this.#end({ how: 'agent-hung-up' });
  }

  /** The call is over for this agent: stop the music, unbridge, release the agent's leg. Runs once. */
  async #end(end: ConnectedEnd<P>): Promise<void> {
    if (this.#over) return;
    this.#over = true;
    // A persistent line outlives the call: leave no listener behind on it.
    this.customer.off('hangup', this.#onCustomerHangup);
    this.agentLeg.off('hangup', this.#onAgentHangup);
    if (this.#heldSince !== undefined) {
      this.#holdMs += this.#o.clock.now() - this.#heldSince;
      this.#heldSince = undefined;
    }
    const bridge = this.#bridge;
    this.#bridge = undefined;
    await bridge?.unbridge();
    await this.#stopMusic();
    const c = this.#consult;
    if (c) await this.#dropConsult(c, 'call-ended');
    if (isLive(this.agentLeg)) await this.#o.releaseAgentLeg(this.agentLeg);
    if (end.how === 'agent-hung-up' && isLive(this.customer)) await this.customer.hangup('normal');
    this.#o.log.info({ callId: this.customer.id, how: end.how, holdMs: this.#holdMs }, 'agent left the call');
    this.#resolve(end);
  }
}

function callState(action: string, why: string): TenorError {
  return new TenorError('TENOR_ERR_CALL_STATE', [action, why]);
}
