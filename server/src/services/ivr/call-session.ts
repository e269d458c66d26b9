// One caller's way through the IVR, from answer to hand-off: run the flow
// version that is live when the call enters it (held for the whole run, so a
// hot reload never changes a call mid-flow), then carry out where it ends:
//   queue      → the ACD (and, if the caller leaves the queue for voicemail or
//                a flow, that too)
//   voicemail  → the voicemail service, then hang up
//   transfer   → a number: blind transfer; an agent: ring the agent directly
//                when the ACD has them ready, else the agent's box; a flow: run it
//   hangup     → hang up
// Hanging up aborts the run at once (its signal stops any prompt or digit wait).

import type { Call, TelephonyDriver } from '@tenor/telephony';
import type { Logger } from 'pino';
import type { EventBus } from '../../core/events.js';
import { dialTarget, type AcdService, type ExitDestination } from '../acd/index.js';
import type { CrmService } from '../crm/index.js';
import type { VoicemailService } from '../voicemail/index.js';
import type { FlowClock } from './clock.js';
import { FlowAbortedError, runFlow, type CompiledFlow, type FlowOutcome, type FlowRunResult } from './flow/index.js';
import { FlowFailedError } from './flow/run.js';
import { enqueueCaller, type CallerIdentity } from '../inbound-caller.js';
import type { OutboundHttpLimits } from '../../core/outbound-http.js';
import type { DialingService } from '../dialing/index.js';
import { CallGoneError, liveFlowIO } from './live-io.js';
import type { FlowRegistry, LiveFlow } from './registry.js';
import './events.js';

/** A flow that sends calls on to another flow (and that one back) must not loop forever. */
export const MAX_FLOW_HOPS = 10;

export interface SessionDeps {
  registry: FlowRegistry;
  driver: TelephonyDriver;
  acd: AcdService;
  crm: Pick<CrmService, 'findCustomersByPhone'> | undefined;
  /** Undefined when no voicemail service runs. */
  voicemail(): VoicemailService | undefined;
  bus: EventBus;
  /** A number the flow transfers to (a template: it may hold what the caller typed) passes the site's dialing policy. */
  dialing: Pick<DialingService, 'decide'>;
  clock: FlowClock;
  dataDir: string;
  /** Bounds on the flow's data dips. */
  outboundHttp: OutboundHttpLimits;
  /** Language of a caller the CRM does not say anything about. */
  defaultLanguage: string | undefined;
}

export interface SessionStart {
  call: Call;
  who: CallerIdentity;
  /** Trunk the call came in on (a callback goes out the same way). */
  trunk: string | undefined;
  log: Logger;
}

type Next = { flow: string; via: 'queue-exit' | 'transfer' } | undefined;

/** Hang up unless already ended (reading the state afresh: it changes while we await). */
async function hangupIfUp(call: Call): Promise<void> {
  if (call.state !== 'ended') await call.hangup('normal');
}

export class CallSession {
  readonly #d: SessionDeps;
  readonly #s: SessionStart;
  readonly #abort = new AbortController();
  /** The flow the call is in now (for the live view); undefined between flows. */
  current: LiveFlow | undefined;

  constructor(deps: SessionDeps, start: SessionStart) {
    this.#d = deps;
    this.#s = start;
    // Hanging up stops the run wherever it waits.
    start.call.once('hangup', () => this.#abort.abort());
    if (start.call.state === 'ended') this.#abort.abort();
  }

  get callId(): string {
    return this.#s.call.id;
  }

  /** Run `flow`, and whatever it leads to, until the call is handed off or over. */
  async runFrom(flow: string): Promise<void> {
    await this.#follow({ flow, via: 'transfer' }, 'entry');
  }

  /** A caller who left a queue for voicemail or a flow (the call is still up). */
  async afterQueueExit(destination: ExitDestination): Promise<void> {
    await this.#follow(await this.#exitTo(destination), 'queue-exit');
  }

  async #follow(next: Next, firstVia: 'entry' | 'queue-exit'): Promise<void> {
    let via: 'entry' | 'queue-exit' | 'transfer' = firstVia;
    for (let hops = 0; next; hops++) {
      if (hops >= MAX_FLOW_HOPS) {
        this.#s.log.error({ flow: next.flow, hops }, 'too many flow transfers in one call; hanging up');
        await hangupIfUp(this.#s.call);
        return;
      }
      next = await this.#runOne(next.flow, via);
      via = next?.via ?? 'transfer';
    }
  }

  async #runOne(name: string, via: 'entry' | 'queue-exit' | 'transfer'): Promise<Next> {
    const { call } = this.#s;
    const live = this.#d.registry.get(name);
    if (!live) {
      this.#s.log.error({ flow: name }, 'no live flow of that name; hanging up');
      await this.#goodbye();
      return undefined;
    }
    if (this.#abort.signal.aborted) return undefined;
    // The version is fixed here, and so are the versions of the subflows it may run:
    // a save or a file change from now on only affects later calls.
    this.current = live;
    const subflows = new Map<string, CompiledFlow>(this.#d.registry.list().map((f) => [f.name, f.compiled]));
    const log = this.#s.log.child({ flow: live.name, version: live.version });
    log.info({ from: call.from.number, to: call.to.number, via }, 'flow started');
    this.#d.bus.publish('flow_started', { callId: call.id, flow: live.name, version: live.version, from: call.from.number, to: call.to.number, via });
    const language = typeof this.#s.who.customer?.['language'] === 'string' ? this.#s.who.customer['language'] : this.#d.defaultLanguage;
    let result: FlowRunResult;
    try {
      result = await runFlow(live.compiled, {
        io: liveFlowIO({ call, signal: this.#abort.signal, dataDir: this.#d.dataDir, clock: this.#d.clock, crm: this.#d.crm, log, outboundHttp: this.#d.outboundHttp }),
        caller: { callId: call.id, number: call.from.number, dialed: call.to.number, ...(language !== undefined ? { language } : {}) },
        signal: this.#abort.signal,
        ...(this.#s.who.customer ? { customer: this.#s.who.customer } : {}),
        subflow: (name) => subflows.get(name),
      });
    } catch (err) {
      const hungUp = this.#abort.signal.aborted || call.state === 'ended' || err instanceof CallGoneError || err instanceof FlowAbortedError;
      const path = err instanceof FlowAbortedError || err instanceof FlowFailedError ? err.path : [];
      this.current = undefined;
      if (hungUp) {
        log.info({ path: path.map((st) => st.node) }, 'caller hung up in the flow');
        this.#d.bus.publish('flow_ended', { callId: call.id, flow: live.name, version: live.version, how: 'caller-hung-up', outcome: undefined, path });
        return undefined;
      }
      log.error({ err, path: path.map((st) => st.node) }, 'flow run failed; hanging up');
      this.#d.bus.publish('flow_ended', { callId: call.id, flow: live.name, version: live.version, how: 'failed', outcome: undefined, path });
      await this.#goodbye();
      return undefined;
    }
    this.current = undefined;
    log.info({ outcome: result.outcome, path: result.path.map((s) => (s.exit !== undefined ? `${s.node}:${s.exit}` : s.node)) }, 'flow finished');
    this.#d.bus.publish('flow_ended', { callId: call.id, flow: live.name, version: live.version, how: 'completed', outcome: result.outcome, path: result.path });
    if (call.state === 'ended') return undefined;
    return this.#carryOut(result.outcome, log);
  }

  async #carryOut(outcome: FlowOutcome, log: Logger): Promise<Next> {
    const { call, who, trunk } = this.#s;
    switch (outcome.type) {
      case 'queue': {
        let result;
        try {
          result = await enqueueCaller(this.#d.acd, call, { queue: outcome.queue, who, trunk, priority: outcome.priority, requiredSkills: outcome.skills });
        } catch (err) {
          // A queue named by a variable may not exist: the checker cannot know every value.
          log.error({ err, queue: outcome.queue }, 'queue refused the call; hanging up');
          await this.#goodbye();
          return undefined;
        }
        log.info({ queue: outcome.queue, result }, 'caller left the queue');
        return result.result === 'exit' ? this.#exitTo(result.destination) : undefined;
      }
      case 'voicemail':
        await this.#voicemail(outcome.box, log);
        return undefined;
      case 'transfer': {
        const target = outcome.target;
        if (target.kind === 'flow') return { flow: target.flow, via: 'transfer' };
        if (target.kind === 'number') {
          // The far end is asked to call the number, often through the site's own trunk: the same policy as any outbound leg.
          const decision = this.#d.dialing.decide(target.number, { purpose: 'transfer', callId: call.id, ...(this.#s.trunk !== undefined ? { trunk: this.#s.trunk } : {}) });
          if (!decision.allowed) {
            log.warn({ number: target.number }, 'transfer refused by the dialing policy; the call ends');
            await this.#goodbye(['invalid-option']);
            return undefined;
          }
          log.info({ number: target.number }, 'blind transfer');
          await call.transfer(target.number);
          return undefined;
        }
        await this.#toAgent(target.agent, log);
        return undefined;
      }
      case 'hangup':
        log.info('flow hangs up');
        await hangupIfUp(call);
        return undefined;
    }
  }

  /** Where an ACD exit leads: voicemail is served here, a flow is run next; a queue or a hang-up the ACD has done itself. */
  async #exitTo(destination: ExitDestination): Promise<Next> {
    const log = this.#s.log;
    if (destination.type === 'voicemail') {
      await this.#voicemail(destination.box, log);
      return undefined;
    }
    if (destination.type === 'flow') return { flow: destination.flow, via: 'queue-exit' };
    if (destination.type === 'hangup') await hangupIfUp(this.#s.call);
    return undefined;
  }

  async #voicemail(box: string, log: Logger): Promise<void> {
    const { call, who } = this.#s;
    const voicemail = this.#d.voicemail();
    if (!voicemail || !voicemail.box(box)) {
      log.error({ box, voicemail: voicemail !== undefined }, voicemail ? 'no such voicemail box; the caller cannot leave a message' : 'no voicemail service runs; the caller cannot leave a message');
      await this.#goodbye();
      return;
    }
    log.info({ box }, 'to voicemail');
    const language = typeof who.customer?.['language'] === 'string' ? who.customer['language'] : this.#d.defaultLanguage;
    try {
      const message = await voicemail.leaveMessage(call, {
        box,
        ...(who.customerId !== undefined ? { customerId: who.customerId } : {}),
        ...(language !== undefined ? { language } : {}),
      });
      log.info({ box, messageId: message?.id, durationMs: message?.durationMs }, message ? 'voicemail left' : 'caller left no message');
    } catch (err) {
      log.error({ err, box }, 'voicemail failed');
    }
    await hangupIfUp(call);
  }

  /**
   * Straight to one agent. The ACD has no "this agent only" routing, so the IVR
   * rings the agent's device itself, and only when the ACD shows the agent ready
   * (not on a call, not on a break); otherwise the caller goes to the agent's
   * box ('agent:<login>') when there is one. While such a call lasts the ACD
   * does not know about it (the agent stays "ready" there).
   */
  async #toAgent(login: string, log: Logger): Promise<void> {
    const { call } = this.#s;
    const agent = this.#d.acd.agent(login);
    if (!agent || agent.state !== 'ready') {
      log.info({ agent: login, state: agent?.state }, 'agent not ready for a direct transfer');
      const box = `agent:${login}`;
      if (this.#d.voicemail()?.box(box)) await this.#voicemail(box, log);
      else await this.#goodbye(['agents-busy']);
      return;
    }
    log.info({ agent: login }, 'ringing the agent directly');
    let leg: Call;
    try {
      leg = await this.#d.driver.originate(dialTarget(agent.profile.device, login), { callerId: call.from, timeoutMs: 30_000, signal: this.#abort.signal });
    } catch (err) {
      log.info({ agent: login, err }, 'agent did not answer the direct transfer');
      const box = `agent:${login}`;
      if (call.state !== 'ended' && this.#d.voicemail()?.box(box)) await this.#voicemail(box, log);
      else await this.#goodbye(['agents-busy']);
      return;
    }
    if (call.state === 'ended') {
      await leg.hangup('normal');
      return;
    }
    const bridge = await this.#d.driver.bridge(call, leg);
    log.info({ agent: login, legId: leg.id }, 'caller connected to the agent');
    await new Promise<void>((resolve) => {
      if (call.state === 'ended' || leg.state === 'ended') return resolve();
      call.once('hangup', () => resolve());
      leg.once('hangup', () => resolve());
    });
    await bridge.unbridge();
    await Promise.all([hangupIfUp(call), hangupIfUp(leg)]);
  }

  async #goodbye(before: string[] = []): Promise<void> {
    const { call } = this.#s;
    if (call.state === 'ended') return;
    if (call.state === 'answered') {
      // The caller may hang up during the goodbye: we hang up all the same.
      await call.play({ prompts: [...before, 'goodbye'].map((name) => ({ name })) })
        .catch((err: unknown) => this.#s.log.debug({ err }, 'goodbye prompt not played'));
    }
    await hangupIfUp(call);
  }
}
