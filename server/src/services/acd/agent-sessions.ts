// Agents' sessions: logging in and out, breaks, ending wrap-up early, and the
// persistent line a persistent-device agent is called on at login and kept
// connected on between calls.

import type { CallParty } from '@tenor/telephony';
import { TenorError } from '../../core/errors.js';
import { LINE_LOST_REASON, NO_ANSWER_REASON, SUPERVISOR_REASON, type Agent, type PendingChange } from './agent-state.js';
import type { AcdCore } from './contacts.js';
import { DialedDevice, PersistentLine, dialTarget, type AgentDeviceLine } from './devices.js';
import { decideRequest, type Asker } from './state-requests.js';
import './events.js';

export interface AgentSessionsDeps {
  core: AcdCore;
  /** Break reasons agents may give ("no answer" is always known). */
  breakReasons: readonly string[];
  /** How long the agent's phone may ring when a persistent line is set up at login. */
  persistentLineTimeoutMs: number;
  /** The number shown to agents' external phones and persistent lines. */
  callerId: CallParty | undefined;
  /** The agent logged out: callers of queues left without agents may have to leave. */
  leaveEmptyQueues(agent: Agent): void;
}

export class AgentSessions {
  readonly #d: AgentSessionsDeps;
  readonly #lines = new Map<string, PersistentLine>();
  /** Persistent lines being hung up after a logout, by agent: logout() resolves after its own. */
  readonly #hangups = new Map<string, Promise<void>>();

  constructor(deps: AgentSessionsDeps) {
    this.#d = deps;
  }

  /** The break reasons agents choose from (the site's, or the defaults). */
  get breakReasons(): readonly string[] {
    return this.#d.breakReasons;
  }

  /** Log in (ready, or on break with `breakReason`). A persistent-line agent's phone is called first. */
  async login(login: string, opts: { breakReason?: string } = {}): Promise<Agent> {
    const { roster, clock } = this.#d.core;
    const agent = roster.require(login);
    if (agent.loggedIn) throw new TenorError('TENOR_ERR_VALIDATION', [`agent '${login}' is already logged in`]);
    if (opts.breakReason !== undefined) this.#checkBreakReason(opts.breakReason);
    if (agent.profile.device.type === 'persistent') await this.#connectLine(agent);
    roster.apply(agent, agent.logIn(opts.breakReason === undefined, opts.breakReason ?? 'login', clock.now()));
    return agent;
  }

  /**
   * Ready again: from a break, or ending wrap-up early (into the pending break or
   * logout, if a supervisor forced one). Refused while a call is in hand (state-requests.ts).
   */
  ready(login: string, asker: Asker = 'self'): Agent {
    const { roster, clock } = this.#d.core;
    const agent = roster.require(login);
    decideRequest(login, agent.state, 'ready', asker);
    if (agent.state === 'wrap-up') roster.endWrapUp(agent, 'wrap-up ended by agent');
    else roster.apply(agent, agent.ready('ready', clock.now()));
    return agent;
  }

  /**
   * Take a break now (ending wrap-up early). While a call is in hand the agent's own
   * break is refused and a forced one is pending (`agent.pending`) until the call's work ends.
   */
  takeBreak(login: string, reason: string, asker: Asker = 'self'): Agent {
    const { roster, clock } = this.#d.core;
    this.#checkBreakReason(reason);
    const agent = roster.require(login);
    if (decideRequest(login, agent.state, 'break', asker) === 'pending') this.#defer(agent, { state: 'break', reason });
    else if (agent.state === 'wrap-up') {
      agent.defer({ state: 'break', reason });
      roster.endWrapUp(agent, reason);
    } else roster.apply(agent, agent.takeBreak(reason, clock.now()));
    return agent;
  }

  /** Log out now, or (forced during a call's work) when it ends: `agent.pending` says which. */
  async logout(login: string, reason = 'logout', asker: Asker = 'self'): Promise<Agent> {
    const { roster, clock } = this.#d.core;
    const agent = roster.require(login);
    if (decideRequest(login, agent.state, 'logged-out', asker) === 'pending') {
      this.#defer(agent, { state: 'logged-out', reason });
      return agent;
    }
    if (agent.state === 'wrap-up') {
      agent.defer({ state: 'logged-out', reason });
      roster.endWrapUp(agent, reason);
    } else roster.apply(agent, agent.logOut(reason, clock.now()));
    await this.#hangups.get(login);
    return agent;
  }

  /**
   * Every logout, asked now or pending and taken when a call's work ended (the roster
   * calls this): hang up the persistent line; callers of queues left without agents may have to leave.
   */
  loggedOut(agent: Agent): void {
    const { log } = this.#d.core;
    const line = this.#lines.get(agent.login);
    this.#lines.delete(agent.login);
    if (line) {
      const hangup = line.disconnect().catch((err: unknown) => log.warn({ err, agent: agent.login }, 'persistent line could not be hung up at logout'));
      this.#hangups.set(agent.login, hangup);
      void hangup.then(() => {
        if (this.#hangups.get(agent.login) === hangup) this.#hangups.delete(agent.login);
      });
    }
    // After the step that logged the agent out has finished its own bookkeeping (like the roster's onReady).
    queueMicrotask(() => this.#d.leaveEmptyQueues(agent));
  }

  /** Keep a forced change for the end of the call's work, and say so. */
  #defer(agent: Agent, change: PendingChange): void {
    const { bus, clock, log, roster } = this.#d.core;
    agent.defer(change);
    roster.savePending(agent);
    const pending = agent.pending ?? change;
    (agent.callId ? log.child({ callId: agent.callId }) : log).info({ agent: agent.login, state: agent.state, pending }, 'agent state change pending until the call ends');
    bus.publish('agent_state_pending', { login: agent.login, state: pending.state, reason: pending.reason, during: agent.state, callId: agent.callId, at: new Date(clock.now()).toISOString() });
  }

  /** How the agent is reached for a contact: their persistent line, or their device dialed. */
  lineOf(agent: Agent): AgentDeviceLine {
    return this.#lines.get(agent.login) ?? new DialedDevice(this.#d.core.driver, dialTarget(agent.profile.device, agent.login));
  }

  /** After a restart: call a logged-in agent's persistent line again; on break when that fails. */
  async reconnectLine(agent: Agent): Promise<void> {
    try {
      await this.#connectLine(agent);
    } catch (err) {
      this.#d.core.log.warn({ err, agent: agent.login }, 'persistent line could not be set up again after restart; agent on break');
      if (agent.state === 'ready') this.#d.core.roster.apply(agent, agent.takeBreak(LINE_LOST_REASON, this.#d.core.clock.now()));
    }
  }

  /** Hang up every persistent line (the ACD stops). */
  async stop(): Promise<void> {
    for (const line of this.#lines.values()) await line.disconnect();
    this.#lines.clear();
  }

  async #connectLine(agent: Agent): Promise<void> {
    const { driver, roster, clock, log } = this.#d.core;
    const line = new PersistentLine(driver, dialTarget(agent.profile.device, agent.login));
    const leg = await line.connect({ timeoutMs: this.#d.persistentLineTimeoutMs, callerId: this.#d.callerId ?? { number: 'tenor', displayName: 'Tenor ACD' } });
    this.#lines.set(agent.login, line);
    log.info({ agent: agent.login, callId: leg.id }, 'persistent line connected');
    leg.once('hangup', () => {
      if (this.#lines.get(agent.login) !== line) return;
      this.#lines.delete(agent.login);
      log.warn({ agent: agent.login, callId: leg.id }, 'persistent line dropped');
      // The agent can no longer be reached: on break until they log in again.
      if (agent.state === 'ready') roster.apply(agent, agent.takeBreak(LINE_LOST_REASON, clock.now()));
      else if (agent.state === 'wrap-up') {
        agent.defer({ state: 'break', reason: LINE_LOST_REASON });
        roster.endWrapUp(agent, LINE_LOST_REASON);
      } else if (agent.state === 'offered' || agent.state === 'on-call') {
        agent.defer({ state: 'break', reason: LINE_LOST_REASON });
        roster.savePending(agent);
      }
    });
  }

  #checkBreakReason(reason: string): void {
    const known = this.#d.breakReasons;
    if (reason !== NO_ANSWER_REASON && reason !== SUPERVISOR_REASON && !known.includes(reason)) {
      throw new TenorError('TENOR_ERR_VALIDATION', [`unknown break reason '${reason}' (known: ${known.join(', ')})`]);
    }
  }
}
