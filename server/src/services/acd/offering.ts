// Offers: the router's decisions carried out. The chosen agents are offered
// the contact and rung on their devices at once; the first to answer gets it,
// the others are withdrawn; nobody answering puts the contact back in line.

import type { Call, CallParty } from '@tenor/telephony';
import { LINE_LOST_REASON, NO_ANSWER_REASON, type Agent } from './agent-state.js';
import type { AcdCore, OfferEnd } from './contacts.js';
import type { AgentDeviceLine } from './devices.js';
import type { QueueDefinition } from './model.js';
import type { Decision } from './router.js';
import { causeOf, type OfferAttempt, type Session } from './session.js';
import './events.js';

/** Why an agent's part of an offer ended without a connection. */
type OfferMiss = 'no-answer' | 'unreachable' | 'withdrawn' | 'line-lost';

export interface OffersDeps {
  core: AcdCore;
  /** Unanswered offers in a row before an agent is put on break "no answer" (0: never). */
  maxMissedOffers: number;
  /** How the agent is reached: their persistent line, or their device dialed. */
  lineOf(agent: Agent): AgentDeviceLine;
  /** An agent answered a caller. */
  connect(session: Session, queue: QueueDefinition, attempt: OfferAttempt, leg: Call): Promise<void>;
  /** An agent answered a callback request. */
  connectCallback(session: Session, queue: QueueDefinition, attempt: OfferAttempt, leg: Call): Promise<void>;
}

export class Offers {
  readonly #d: OffersDeps;

  constructor(deps: OffersDeps) {
    this.#d = deps;
  }

  dispatchEntry(entryId: string): void {
    const { router, contacts } = this.#d.core;
    if (contacts.stopped) return;
    const d = router.decideForEntry(entryId);
    if (d) this.#start(d);
  }

  dispatchAgent(login: string): void {
    const { router, contacts } = this.#d.core;
    if (contacts.stopped) return;
    const d = router.decideForAgent(login);
    if (d) this.#start(d);
  }

  dispatchAll(): void {
    const { router, contacts } = this.#d.core;
    if (contacts.stopped) return;
    for (const d of router.decideAll()) this.#start(d);
  }

  #start(d: Decision): void {
    const { router, clock, bus, roster, recorder, contacts } = this.#d.core;
    const session = contacts.sessions.get(d.entry.id);
    if (!session || (session.state !== 'waiting' && session.state !== 'offering')) {
      router.remove(d.entry.id);
      for (const a of d.agents) router.release(a.login);
      return;
    }
    session.state = 'offering';
    session.hold?.agentFree();
    const now = clock.now();
    const attempts: OfferAttempt[] = d.agents.map((agent) => {
      roster.apply(agent, agent.offer(d.entry.callId, now));
      contacts.queueEvent(d.queue.name, 'offered', session, agent.login, undefined);
      return { agent, line: this.#d.lineOf(agent), seg: recorder.addSegment(session.recordId, { kind: 'agent', queue: d.queue.name, agent: agent.login, startedAt: now }, { offeredAt: now }) };
    });
    recorder.update(session.recordId, { offeredAt: now });
    bus.publish('call_offered', { callId: d.entry.callId, entryId: d.entry.id, queue: d.queue.name, kind: d.entry.kind, agents: d.agents.map((a) => a.login) });
    session.log.info({ agents: d.agents.map((a) => a.login), kind: d.entry.kind }, 'offering contact');
    void this.#run(session, d, attempts).catch((err: unknown) => session.log.error({ err }, 'offer failed'));
  }

  async #run(session: Session, d: Decision, attempts: OfferAttempt[]): Promise<void> {
    const ac = new AbortController();
    session.offer = ac;
    const { clock, router } = this.#d.core;
    const ringMs = d.queue.ringTimeoutSeconds * 1000;
    const timer = clock.setTimer(ringMs, () => ac.abort('ring-timeout' satisfies OfferEnd));
    const callerId: CallParty = d.entry.kind === 'callback'
      ? { number: d.entry.callerNumber, displayName: `Callback ${d.queue.name}` }
      : { number: d.entry.callerNumber, ...(d.entry.customerName ? { displayName: d.entry.customerName } : {}) };
    let winner: { attempt: OfferAttempt; leg: Call } | undefined;
    const missed: string[] = [];
    await new Promise<void>((resolve) => {
      let pending = attempts.length;
      const settled = (): void => {
        if (--pending === 0) resolve();
      };
      for (const attempt of attempts) {
        attempt.line.offer({ timeoutMs: ringMs, callerId, signal: ac.signal }).then(
          (leg) => {
            if (!winner && !ac.signal.aborted) {
              winner = { attempt, leg };
              ac.abort('answered-elsewhere' satisfies OfferEnd);
              resolve();
            } else {
              // Answered too late (another agent won, the caller left, or the ring timer fired).
              void attempt.line.finish(leg);
              this.#lost(session, attempt, ac.signal.reason === 'ring-timeout' ? 'no-answer' : 'withdrawn', missed);
            }
            settled();
          },
          (err: unknown) => {
            const cause = causeOf(err);
            // A browser phone that is not registered has lost its line (or never opened the desktop): not a miss either.
            const lineLost = cause === 'line-lost' || (cause === 'unreachable' && attempt.agent.profile.device.type === 'webrtc');
            const reason = lineLost ? 'line-lost' : ac.signal.aborted && ac.signal.reason !== 'ring-timeout' ? 'withdrawn' : cause === 'unreachable' ? 'unreachable' : 'no-answer';
            this.#lost(session, attempt, reason, missed);
            settled();
          },
        );
      }
    });
    timer.cancel();
    session.offer = undefined;
    if (winner) {
      if (session.state !== 'offering') {
        // The caller hung up just as the agent answered.
        await winner.attempt.line.finish(winner.leg);
        this.#lost(session, winner.attempt, 'withdrawn', missed);
        return;
      }
      if (d.entry.kind === 'callback') await this.#d.connectCallback(session, d.queue, winner.attempt, winner.leg);
      else await this.#d.connect(session, d.queue, winner.attempt, winner.leg);
      return;
    }
    if (session.state !== 'offering') return;
    // Nobody answered: the contact waits again, the next agent is tried first.
    session.state = 'waiting';
    router.offerEnded(d.entry.id, missed);
    session.hold?.resume();
    const pending = session.pending;
    session.pending = undefined;
    if (pending) pending();
    if (session.state === 'waiting') this.dispatchEntry(d.entry.id);
  }

  /** An agent's part of an offer ended without a connection. */
  #lost(session: Session, attempt: OfferAttempt, reason: OfferMiss, missed: string[]): void {
    const { clock, bus, roster, recorder, contacts } = this.#d.core;
    const { agent } = attempt;
    if (agent.state !== 'offered' || agent.callId !== session.entry.callId) return;
    const now = clock.now();
    // The offer's end goes out before the state change it causes: whoever hears an agent
    // go on break "no answer" has already heard every missed offer that led to it.
    recorder.updateSegment(session.recordId, attempt.seg, { endedAt: now, outcome: reason === 'withdrawn' ? 'withdrawn' : reason });
    bus.publish('call_offer_missed', { callId: session.entry.callId, entryId: session.entry.id, queue: session.entry.queue, agent: agent.login, reason });
    if (reason === 'withdrawn') {
      roster.apply(agent, agent.withdrawn(now));
    } else if (reason === 'line-lost') {
      // Not the agent's miss: the phone is gone. On break until they are back; the contact keeps its place.
      agent.defer({ state: 'break', reason: LINE_LOST_REASON });
      roster.apply(agent, agent.withdrawn(now));
      session.log.warn({ agent: agent.login }, "the agent's line was lost while their phone rang; on break");
      contacts.queueEvent(session.entry.queue, 'offer-missed', session, agent.login, { reason });
    } else {
      missed.push(agent.login);
      const change = roster.apply(agent, agent.missed(this.#d.maxMissedOffers, now));
      if (change?.reason === NO_ANSWER_REASON) session.log.warn({ agent: agent.login }, 'agent missed too many offers; on break');
      contacts.queueEvent(session.entry.queue, 'offer-missed', session, agent.login, { reason });
    }
  }
}
