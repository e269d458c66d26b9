// Supervisor monitoring of an agent's connected ACD call: Tenor calls the
// supervisor (their registered softphone, or a number through a trunk) and,
// once they answer, joins their leg to the bridge between the customer and the
// agent. 'listen' hears both sides, 'whisper' also speaks to the agent only,
// 'barge' speaks to both. A monitor ends on DELETE, when the supervisor hangs
// up, or when the call is no longer the agent's (hang-up, transfer); Tenor
// then hangs up the supervisor's leg.
//
// Hold and consult unbridge the customer and the agent (connected-call.ts):
// the supervisor stays on the line, hears nothing meanwhile, and is joined to
// the new bridge when the agent is back with the customer.

import { randomUUID } from 'node:crypto';
import type { Call, CallParty, DialTarget, Monitor, MonitorMode, TelephonyDriver } from '@tenor/telephony';
import type { EventBus } from '../../core/events.js';
import { TenorError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { AcdEngine } from './engine.js';
import './events.js';

export type { MonitorMode };

/** Why a monitor ended (carried in `monitor_ended`). */
export type MonitorEndReason = 'stopped' | 'supervisor-hung-up' | 'call-ended' | 'server-shutdown';

/** A monitor as the API and the bus show it. */
export interface MonitorView {
  id: string;
  /** The monitored agent's login. */
  agent: string;
  /** The customer's leg of the monitored call. */
  callId: string;
  mode: MonitorMode;
  /** Username of the supervisor (or admin) who monitors. */
  supervisor: string;
}

export interface MonitoringEvents {
  monitor_started: MonitorView;
  monitor_changed: MonitorView;
  monitor_ended: MonitorView & { reason: MonitorEndReason };
}

declare module '../../core/events.js' {
  interface TenorEvents extends MonitoringEvents {}
}

export interface StartMonitorRequest {
  agent: string;
  supervisor: string;
  mode: MonitorMode;
  /** Call this number instead of the supervisor's registered softphone. */
  device?: { number: string; trunk?: string };
}

export interface MonitoringOptions {
  acd: Pick<AcdEngine, 'agent' | 'connectedLegs' | 'findConnectedCall'>;
  driver: TelephonyDriver;
  bus: EventBus;
  logger: Logger;
  /** How long the supervisor's phone may ring. 30 s unless told. */
  ringTimeoutMs?: number;
  /** Caller id presented when calling a number through a trunk (the ACD's outbound caller id). */
  trunkCallerId?: CallParty;
}

/** One monitor, from the moment Tenor dials the supervisor until it ends. */
interface ActiveMonitor {
  view: MonitorView;
  customer: Call;
  agentLeg: Call;
  log: Logger;
  /** Aborts the supervisor's call while it rings. */
  dialing: AbortController;
  supervisorLeg: Call | undefined;
  /** Set once the supervisor answered and was joined: the monitor is visible, announced, and its end announced. */
  joined: boolean;
  /** The supervisor's link to the current bridge; undefined while the call is on hold or in a consult. */
  media: Monitor | undefined;
  /** Joins and detaches, one at a time. */
  syncing: Promise<void>;
  ended: boolean;
  /** Undoes every listener this monitor put on calls. */
  cleanup: (() => void)[];
}

const TERMINAL_ACTIONS = new Set(['hangup', 'transfer', 'consult-complete']);

export class Monitoring {
  readonly #o: MonitoringOptions;
  readonly #monitors = new Map<string, ActiveMonitor>();
  readonly #unsubscribe: (() => void)[] = [];
  #stopping = false;

  constructor(opts: MonitoringOptions) {
    this.#o = opts;
    this.#listen();
  }

  /** The event bus was replaced: listen to the new one. */
  busReplaced(): void {
    for (const u of this.#unsubscribe.splice(0)) u();
    this.#listen();
  }

  #listen(): void {
    const { bus } = this.#o;
    this.#unsubscribe.push(
      bus.subscribe('call_control', (e) => {
        const { agent, callId, action } = e.payload;
        for (const m of this.#monitorsWhere((x) => x.view.agent === agent && x.view.callId === callId)) {
          if (TERMINAL_ACTIONS.has(action)) void this.#end(m, 'call-ended');
          // Hold, unhold and consult replace the bridge, possibly more than once before this sync runs.
          else this.#sync(m, { rejoin: true });
        }
      }),
      // A call can stop being the agent's without a leg hanging up (a persistent line stays up).
      bus.subscribe('agent_state_changed', (e) => {
        for (const m of this.#monitorsWhere((x) => x.view.agent === e.payload.login)) this.#sync(m);
      }),
      bus.subscribe('call_ended', (e) => {
        const { callId, agent } = e.payload;
        for (const m of this.#monitorsWhere((x) => x.view.callId === callId && (agent === undefined || x.view.agent === agent))) void this.#end(m, 'call-ended');
      }),
    );
  }

  /**
   * Call the supervisor and, once they answer, join them to the agent's
   * connected call. Resolves when the supervisor hears the call.
   */
  async start(req: StartMonitorRequest): Promise<MonitorView> {
    if (this.#stopping) throw new TenorError('TENOR_ERR_SHUTTING_DOWN');
    if (!this.#o.acd.agent(req.agent)) throw new TenorError('TENOR_ERR_NOT_FOUND', [`agent '${req.agent}'`]);
    const legs = this.#o.acd.connectedLegs(req.agent);
    if (!legs) {
      if (this.#o.acd.findConnectedCall(req.agent)) throw new TenorError('TENOR_ERR_CALL_STATE', ['monitor the call', 'the customer is on hold or in a consult; try again once the agent is back with them']);
      throw new TenorError('TENOR_ERR_NO_CALL', [req.agent]);
    }
    for (const other of this.#monitors.values()) {
      if (other.view.callId === legs.callId && other.view.supervisor === req.supervisor) {
        throw new TenorError('TENOR_ERR_CALL_STATE', ['monitor the call', `${req.supervisor} is already monitoring it (monitor ${other.view.id})`]);
      }
    }
    const view: MonitorView = { id: randomUUID(), agent: req.agent, callId: legs.callId, mode: req.mode, supervisor: req.supervisor };
    const m: ActiveMonitor = {
      view, customer: legs.customer, agentLeg: legs.agent, dialing: new AbortController(), supervisorLeg: undefined,
      joined: false, media: undefined, syncing: Promise.resolve(), ended: false, cleanup: [],
      log: this.#o.logger.child({ callId: legs.callId, monitor: view.id, agent: req.agent, supervisor: req.supervisor }),
    };
    this.#monitors.set(view.id, m);
    // Either leg of the monitored call hanging up ends the monitor, also while the supervisor's phone still rings.
    this.#onHangup(m, legs.customer, 'call-ended');
    this.#onHangup(m, legs.agent, 'call-ended');

    const target: DialTarget = req.device
      ? { kind: 'number', number: req.device.number, ...(req.device.trunk !== undefined ? { trunk: req.device.trunk } : {}) }
      : { kind: 'device', user: req.supervisor };
    const callerId: CallParty | undefined = req.device
      ? this.#o.trunkCallerId
      : { number: legs.customer.from.number, displayName: `Monitor ${req.agent}` };
    m.log.info({ mode: req.mode, target }, 'calling the supervisor to monitor');
    let leg: Call;
    try {
      leg = await this.#o.driver.originate(target, { timeoutMs: this.#o.ringTimeoutMs ?? 30_000, signal: m.dialing.signal, ...(callerId ? { callerId } : {}) });
    } catch (err) {
      const callGone = m.ended;
      this.#forget(m);
      if (this.#stopping) throw new TenorError('TENOR_ERR_SHUTTING_DOWN');
      if (callGone) throw new TenorError('TENOR_ERR_CALL_STATE', ['monitor the call', 'the call ended before the supervisor answered']);
      const cause = typeof err === 'object' && err !== null && 'hangupCause' in err ? String(err.hangupCause) : String(err);
      m.log.info({ cause }, 'the supervisor did not answer');
      throw new TenorError('TENOR_ERR_MONITOR_UNREACHABLE', [req.device ? req.device.number : `${req.supervisor}'s softphone`, cause]);
    }
    m.supervisorLeg = leg;
    if (m.ended) {
      // The call ended (or the service stops) while the phone rang, and the answer raced the abort.
      await leg.hangup('normal').catch((err: unknown) => m.log.debug({ err }, 'hanging up the late supervisor leg failed'));
      this.#forget(m);
      throw new TenorError('TENOR_ERR_CALL_STATE', ['monitor the call', 'the call ended before the supervisor answered']);
    }
    this.#onHangup(m, leg, 'supervisor-hung-up');
    this.#sync(m);
    await m.syncing;
    if (m.ended) throw new TenorError('TENOR_ERR_CALL_STATE', ['monitor the call', 'the call ended before the supervisor was joined']);
    m.joined = true;
    m.log.info({ mode: req.mode, supervisorLeg: leg.id, bridged: m.media !== undefined }, 'monitor started');
    this.#o.bus.publish('monitor_started', { ...view });
    return { ...view };
  }

  async setMode(id: string, mode: MonitorMode): Promise<MonitorView> {
    const m = this.#require(id);
    if (m.view.mode !== mode) {
      const from = m.view.mode;
      // Recorded first: while on hold there is no bridge to apply it to, and the next join uses it.
      m.view.mode = mode;
      await m.media?.setMode(mode);
      m.log.info({ from, to: mode }, 'monitor mode changed');
      this.#o.bus.publish('monitor_changed', { ...m.view });
    }
    return { ...m.view };
  }

  /** End a monitor and hang up the supervisor's leg. */
  async stop(id: string): Promise<void> {
    await this.#end(this.#require(id), 'stopped');
  }

  /** A monitor whose supervisor was joined (not one still ringing them). */
  get(id: string): MonitorView | undefined {
    const m = this.#monitors.get(id);
    return m?.joined && !m.ended ? { ...m.view } : undefined;
  }

  list(): MonitorView[] {
    return [...this.#monitors.values()].filter((m) => m.joined && !m.ended).map((m) => ({ ...m.view }));
  }

  /** The monitors on an agent's connected call, for the call view (ConnectedCallView.monitors). */
  monitorsOf(agentLogin: string): { id: string; supervisor: string; mode: MonitorMode }[] {
    return this.list().filter((v) => v.agent === agentLogin).map((v) => ({ id: v.id, supervisor: v.supervisor, mode: v.mode }));
  }

  /** Service stop: end every monitor (supervisors' legs are hung up). */
  async close(): Promise<void> {
    this.#stopping = true;
    for (const u of this.#unsubscribe.splice(0)) u();
    await Promise.all([...this.#monitors.values()].map((m) => this.#end(m, 'server-shutdown')));
  }

  #require(id: string): ActiveMonitor {
    const m = this.#monitors.get(id);
    if (!m || !m.joined || m.ended) throw new TenorError('TENOR_ERR_NOT_FOUND', [`monitor '${id}'`]);
    return m;
  }

  #monitorsWhere(match: (m: ActiveMonitor) => boolean): ActiveMonitor[] {
    return [...this.#monitors.values()].filter((m) => !m.ended && match(m));
  }

  #onHangup(m: ActiveMonitor, call: Call, reason: MonitorEndReason): void {
    const handler = (): void => {
      void this.#end(m, reason);
    };
    call.once('hangup', handler);
    m.cleanup.push(() => call.off('hangup', handler));
    if (call.state === 'ended') handler();
  }

  /**
   * Bring the supervisor's link in line with the call: joined while the
   * customer and the agent are bridged, detached while they are not, ended
   * once the call is no longer the agent's. `rejoin`: the bridge may have been
   * replaced, so a link that looks current may belong to an unbridged one.
   */
  #sync(m: ActiveMonitor, opts: { rejoin?: boolean } = {}): void {
    m.syncing = m.syncing.then(async () => {
      if (m.ended || !m.supervisorLeg) return;
      const call = this.#o.acd.findConnectedCall(m.view.agent);
      const legs = this.#o.acd.connectedLegs(m.view.agent);
      if (call?.callId !== m.view.callId || (legs && (legs.customer !== m.customer || legs.agent !== m.agentLeg))) {
        await this.#end(m, 'call-ended');
        return;
      }
      if (m.media && (!legs || opts.rejoin)) {
        // The bridge is gone or replaced (hold, consult): its monitor stopped with it.
        const media = m.media;
        m.media = undefined;
        await media.stop();
        if (!legs) m.log.info('monitor detached while the customer is not with the agent');
      }
      if (legs && !m.media) {
        // The agent's leg is the side a whisper reaches; barge reaches both.
        const media = await this.#o.driver.monitor(legs.agent, m.supervisorLeg, m.view.mode);
        if (m.ended) {
          await media.stop();
          return;
        }
        m.media = media;
        // The mode may have been switched while the join was under way.
        if (media.mode !== m.view.mode) await media.setMode(m.view.mode);
        m.log.info({ mode: m.view.mode }, 'monitor joined to the bridge');
      }
    }).catch((err: unknown) => {
      m.log.warn({ err }, 'could not join the supervisor to the call');
      return this.#end(m, 'call-ended');
    });
  }

  async #end(m: ActiveMonitor, reason: MonitorEndReason): Promise<void> {
    if (m.ended) return;
    m.ended = true;
    // Still ringing: the pending start() sees the abort and cleans up.
    if (!m.supervisorLeg) {
      m.dialing.abort(reason);
      return;
    }
    this.#forget(m);
    const media = m.media;
    m.media = undefined;
    await media?.stop().catch((err: unknown) => m.log.warn({ err }, 'stopping the monitor failed'));
    if (m.supervisorLeg.state !== 'ended') await m.supervisorLeg.hangup('normal').catch((err: unknown) => m.log.debug({ err }, 'hanging up the supervisor leg failed'));
    m.log.info({ reason }, 'monitor ended');
    if (m.joined) this.#o.bus.publish('monitor_ended', { ...m.view, reason });
  }

  #forget(m: ActiveMonitor): void {
    m.ended = true;
    for (const undo of m.cleanup.splice(0)) undo();
    this.#monitors.delete(m.view.id);
  }
}
