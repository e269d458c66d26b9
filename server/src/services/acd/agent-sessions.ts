// Agents' sessions: logging in and out, breaks, ending wrap-up early, and the
// persistent line a persistent-device agent is called on at login and kept
// connected on between calls.

import type { CallParty } from '@tenor/telephony';
import { TenorError } from '../../core/errors.js';
import { NO_ANSWER_REASON, SUPERVISOR_REASON, type Agent } from './agent-state.js';
import type { AcdCore } from './contacts.js';
import { DialedDevice, PersistentLine, dialTarget, type AgentDeviceLine } from './devices.js';

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

  /** Ready again: from a break, or ending wrap-up early. */
  ready(login: string): Agent {
    const { roster, clock } = this.#d.core;
    const agent = roster.require(login);
    if (agent.state === 'wrap-up') roster.endWrapUp(agent, 'wrap-up ended by agent');
    else roster.apply(agent, agent.ready('ready', clock.now()));
    return agent;
  }

  /** Take a break now, or after the current call and wrap-up. */
  takeBreak(login: string, reason: string): Agent {
    const { roster, clock } = this.#d.core;
    this.#checkBreakReason(reason);
    const agent = roster.require(login);
    if (agent.state === 'wrap-up') {
      agent.pendingBreak = reason;
      roster.endWrapUp(agent, reason);
    } else {
      roster.apply(agent, agent.takeBreak(reason, clock.now()));
    }
    return agent;
  }

  async logout(login: string, reason = 'logout'): Promise<Agent> {
    const { roster, clock } = this.#d.core;
    const agent = roster.require(login);
    if (agent.state === 'offered' || agent.state === 'on-call') {
      throw new TenorError('TENOR_ERR_VALIDATION', [`agent '${login}' is on a call; log out after it ends`]);
    }
    roster.apply(agent, agent.logOut(reason, clock.now()));
    const line = this.#lines.get(login);
    this.#lines.delete(login);
    await line?.disconnect();
    this.#d.leaveEmptyQueues(agent);
    return agent;
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
      if (agent.state === 'ready') this.#d.core.roster.apply(agent, agent.takeBreak('line lost', this.#d.core.clock.now()));
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
      if (agent.state === 'ready') roster.apply(agent, agent.takeBreak('line lost', clock.now()));
      else if (agent.state === 'wrap-up') {
        agent.pendingBreak = 'line lost';
        roster.endWrapUp(agent, 'line lost');
      } else if (agent.state === 'offered' || agent.state === 'on-call') agent.pendingBreak = 'line lost';
    });
  }

  #checkBreakReason(reason: string): void {
    const known = this.#d.breakReasons;
    if (reason !== NO_ANSWER_REASON && reason !== SUPERVISOR_REASON && !known.includes(reason)) {
      throw new TenorError('TENOR_ERR_VALIDATION', [`unknown break reason '${reason}' (known: ${known.join(', ')})`]);
    }
  }
}
