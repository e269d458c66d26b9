// Call recording in ACD calls: follows the ACD's events (an agent connected,
// the agent's call controls, the call's end) and, by the policy of the way
// the call came (a flow node's or a campaign's `recording`, over the queue's,
// over the site's: the flow's and the campaign's own events say which),
// starts the customer leg's recording when the agent is connected (after the
// ACD's steps before connecting: the whisper, the announcement), marks
// hold, consults, transfers and each agent connected, and stores the file when
// the customer leaves. Live control (start, pause, resume, stop) comes from
// the REST API, dialogue scripts and the desk through `control`.

import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Call } from '@tenor/telephony';
import { TenorError } from '../../core/errors.js';
import type { EventBus, TenorEvent } from '../../core/events.js';
// The campaigns' and the flows' events this follows (types only: no module of theirs is loaded from here).
import type {} from '../campaigns/index.js';
import type {} from '../ivr/index.js';
import type { AcdService } from '../acd/index.js';
import type { RecordingPolicyConfig, RecordingSettings } from './config-schema.js';
import type { RecordingVault } from './vault.js';
import { LiveRecording, type LiveState } from './live-recording.js';
import { decide, effectivePolicy, type EffectivePolicy } from './policy.js';
import type { RecordingsRepository } from './repository.js';

export type ControlAction = 'start' | 'pause' | 'resume' | 'stop';
export interface ControlRequest {
  action: ControlAction;
  /** Who asks: a username, 'script', 'system'. */
  by: string;
  reason?: string;
}
export interface ControlResult {
  state: 'recording' | 'paused' | 'stopped' | 'none';
}

/** A live call's recording now, for the live snapshot (the desk and the monitor after a reload). */
export interface LiveRecordingState {
  recordingId: string;
  state: 'recording' | 'paused';
  /** When it started, was paused or resumed (ISO 8601). */
  since: string;
}

/** How the call came to the queue, when that way sets the recording policy (the resolution's first level). */
interface PolicyOverride {
  campaign: string | null;
  recording: RecordingPolicyConfig;
}

/** A call the ACD did not connect, to record by policy (a campaign's preview call: the campaign rang the agent, then the customer). */
export interface OutsideCallToRecord {
  /** The customer's leg: its id names the call (the attempt's call id). */
  customer: Call;
  agent: string;
  queue: string | null;
  campaign: string | null;
  customerId: string | null;
  /** The campaign's own recording keys, over the queue's and the site's. */
  recording: RecordingPolicyConfig | undefined;
}

/** What is kept per call id until the call ends (overrides, steps done) is bounded: some calls never reach the ACD or its end. */
const MAX_REMEMBERED = 10_000;

export interface RecordingsDeps {
  acd: Pick<AcdService, 'findConnectedCall' | 'connectedCustomer'>;
  bus: EventBus;
  repo: RecordingsRepository;
  files: Pick<RecordingVault, 'incomingPath' | 'store'>;
  log: Logger;
  now(): number;
  site: RecordingSettings;
  /** A queue's own `recording` keys (site file or admin API), by queue name. */
  queuePolicy(queue: string): RecordingPolicyConfig | undefined;
  /** Agents with `recordingOptOut: true` in the site file. */
  optedOut(agent: string): boolean;
}

/** An ACD call connected to an agent, recorded or not. */
interface ConnectedCallState {
  recordId: string;
  customer: Call;
  queue: string | null;
  campaign: string | null;
  customerId: string | null;
  agent: string;
  policy: EffectivePolicy;
  recording: LiveRecording | undefined;
  /** Starts in progress, so a stop or the call's end waits for them. */
  starting: Promise<void> | undefined;
  /**
   * The customer is connected to the agent: false while the ACD's steps before connecting (the
   * agent's whisper, the announcement) still run, so the recording starts after them, not before.
   */
  connected: boolean;
  /** The policy says record: started once connected. */
  startWhenConnected: boolean;
}

export class Recordings {
  readonly #d: RecordingsDeps;
  /** By call record id. */
  readonly #calls = new Map<string, ConnectedCallState>();
  /** Customer leg id → call record id (the ACD's call_control names the leg). */
  readonly #legs = new Map<string, string>();
  /** Calls whose steps before connecting ran before their call_answered arrived (the bus is asynchronous). */
  readonly #stepsDone = new Set<string>();
  /** Customer call id → the flow node's or the campaign's recording keys, until the call ends. */
  readonly #overrides = new Map<string, PolicyOverride>();
  readonly #unsubscribe: (() => void)[] = [];
  readonly #finishing = new Set<Promise<void>>();

  constructor(deps: RecordingsDeps) {
    this.#d = deps;
    const { bus } = deps;
    this.#unsubscribe.push(
      bus.subscribe('call_answered', (e) => this.#onAnswered(e)),
      bus.subscribe('call_control', (e) => this.#onControl(e)),
      bus.subscribe('call_ended', (e) => this.#onEnded(e)),
      bus.subscribe('flow_ended', (e) => this.#onFlowEnded(e)),
      bus.subscribe('campaign_call_queued', (e) => this.#override(e.payload.callId, { campaign: e.payload.campaign, recording: e.payload.recording ?? {} })),
    );
  }

  /** The recording state of a live call, for the desk and the API. */
  stateOf(recordId: string): ControlResult['state'] | undefined {
    const call = this.#calls.get(recordId);
    if (!call) return undefined;
    return call.recording?.state ?? 'none';
  }

  /** The recording of a live call now; undefined when the call is not live or not being recorded. */
  liveStateOf(recordId: string): LiveRecordingState | undefined {
    const live = this.#calls.get(recordId)?.recording;
    if (!live || live.state === 'stopped') return undefined;
    return { recordingId: live.id, state: live.state, since: new Date(live.stateSince).toISOString() };
  }

  /** The agent connected to a live call now (who may control its recording). */
  agentOf(recordId: string): string | undefined {
    return this.#calls.get(recordId)?.agent;
  }

  /**
   * Follow a call connected outside the ACD (no call_answered or call_ended comes for it):
   * recorded from now by its policy, controlled like any other; the returned function ends it.
   */
  followOutsideCall(c: OutsideCallToRecord): () => void {
    const recordId = c.customer.id;
    const policy = effectivePolicy(this.#d.site, c.queue !== null ? this.#d.queuePolicy(c.queue) : undefined, c.recording);
    const call: ConnectedCallState = {
      recordId, customer: c.customer, queue: c.queue, campaign: c.campaign, customerId: c.customerId,
      agent: c.agent, policy, recording: undefined, starting: undefined, connected: true, startWhenConnected: false,
    };
    this.#calls.set(recordId, call);
    this.#legs.set(c.customer.id, recordId);
    if (decide(policy.policy, recordId, this.#optedOut(c.agent)) === 'record') void this.#start(call, 'policy', undefined);
    return () => this.#end(recordId);
  }

  async control(recordId: string, req: ControlRequest): Promise<ControlResult> {
    const call = this.#calls.get(recordId);
    if (!call) throw new TenorError('TENOR_ERR_RECORDING_NOT_FOUND', [`live ACD call '${recordId}'`]);
    await call.starting;
    const live = call.recording;
    switch (req.action) {
      case 'start': {
        if (live && live.state !== 'stopped') return { state: live.state };
        if (decide(call.policy.policy, recordId, this.#optedOut(call.agent)) === 'never') {
          throw new TenorError('TENOR_ERR_RECORDING_STATE', ['start', call.policy.policy === 'never' ? "the queue's policy is 'never'" : 'the agent opted out of recording']);
        }
        await this.#start(call, req.by, req.reason);
        return { state: call.recording?.state ?? 'none' };
      }
      case 'pause':
        return { state: live ? live.pause(req.by, req.reason) : 'none' };
      case 'resume':
        return { state: live ? live.resume(req.by, req.reason) : 'none' };
      case 'stop':
        if (!live) return { state: 'none' };
        call.recording = undefined;
        await this.#track(live.stop(req.by, req.reason));
        return { state: 'stopped' };
    }
  }

  /**
   * Before a queued caller is first connected to an agent: the announcement ("this call may be
   * recorded") when the queue has one and the call may be recorded (not `never`, the agent not
   * opted out). Played once per call: a transferred or requeued caller is not told again.
   */
  async announce(call: { recordId: string; queue: string; agent: string; customer: Call }): Promise<void> {
    const known = this.#calls.get(call.recordId);
    if (known?.connected) return;
    try {
      const policy = this.#policyFor(call.customer.id, call.queue);
      if (policy.announcement === undefined || decide(policy.policy, call.recordId, this.#optedOut(call.agent)) === 'never') return;
      this.#d.log.info({ callId: call.recordId, prompt: policy.announcement }, 'recording announcement');
      await call.customer.play({ prompts: [policy.announcement] });
    } finally {
      this.#connected(call.recordId);
    }
  }

  /** Stop following the ACD; recordings in progress are ended and stored. */
  async close(): Promise<void> {
    for (const off of this.#unsubscribe) off();
    for (const call of this.#calls.values()) {
      await call.starting;
      if (call.recording) void this.#track(call.recording.stop('system', 'server stopping'));
    }
    this.#calls.clear();
    this.#legs.clear();
    this.#overrides.clear();
    this.#stepsDone.clear();
    await Promise.all([...this.#finishing]);
  }

  // ---- the ACD's events ----

  #onAnswered(e: TenorEvent<'call_answered'>): void {
    const { agent } = e.payload;
    const view = this.#d.acd.findConnectedCall(agent);
    const customer = this.#d.acd.connectedCustomer(agent);
    // The agent may already have left the call (a very short call): nothing to record.
    if (!view || !customer || view.callId !== e.payload.callId) return;
    const known = this.#calls.get(view.recordId);
    if (known) {
      // The same customer with the next agent (transfer, requeue): one recording goes on.
      known.agent = agent;
      known.customer = customer;
      this.#legs.set(customer.id, view.recordId);
      known.recording?.agentConnected(agent);
      return;
    }
    const queue = view.queue;
    const policy = this.#policyFor(customer.id, queue);
    // A queued caller's first agent: the ACD runs its steps before connecting (announce) first. Callbacks and agents' own calls have none.
    const stepsComing = e.payload.kind === 'call' && e.payload.direction !== 'outbound' && !this.#stepsDone.delete(view.recordId);
    const call: ConnectedCallState = {
      recordId: view.recordId, customer, queue, campaign: this.#overrides.get(customer.id)?.campaign ?? null, customerId: view.caller.customerId,
      agent, policy, recording: undefined, starting: undefined, connected: !stepsComing, startWhenConnected: false,
    };
    this.#calls.set(view.recordId, call);
    this.#legs.set(customer.id, view.recordId);
    if (decide(policy.policy, view.recordId, this.#optedOut(agent)) !== 'record') return;
    if (call.connected) void this.#start(call, 'policy', undefined);
    else call.startWhenConnected = true;
  }

  /** The ACD's steps before connecting are over: the customer and the agent talk from now on. */
  #connected(recordId: string): void {
    const call = this.#calls.get(recordId);
    if (!call) {
      // Before its call_answered: remembered until then (bounded: a call may end before it arrives).
      this.#stepsDone.add(recordId);
      if (this.#stepsDone.size > MAX_REMEMBERED) {
        const oldest = this.#stepsDone.values().next().value;
        if (oldest !== undefined) this.#stepsDone.delete(oldest);
      }
      return;
    }
    if (call.connected) return;
    call.connected = true;
    if (call.startWhenConnected) {
      call.startWhenConnected = false;
      void this.#start(call, 'policy', undefined);
    }
  }

  #onControl(e: TenorEvent<'call_control'>): void {
    const recordId = this.#legs.get(e.payload.callId);
    const live = recordId !== undefined ? this.#calls.get(recordId)?.recording : undefined;
    if (!live) return;
    const { action, agent, target } = e.payload;
    const detail = target ? JSON.stringify(target) : undefined;
    const by = { by: agent, ...(detail !== undefined ? { detail } : {}) };
    switch (action) {
      case 'hold': return live.mark('hold', by);
      case 'unhold': return live.mark('unhold', by);
      case 'consult': return live.mark('consult', by);
      case 'consult-answered': return live.mark('consult', { ...by, reason: 'answered' });
      case 'consult-ended': return live.mark('consult', { ...by, reason: 'ended' });
      // The agent is back with the customer.
      case 'consult-cancel': return live.mark('unhold', { ...by, reason: 'consult cancelled' });
      case 'transfer': return live.mark('transfer', { ...by, reason: 'blind' });
      case 'consult-complete': return live.mark('transfer', { ...by, reason: 'attended' });
      case 'hangup': return;
    }
  }

  #onEnded(e: TenorEvent<'call_ended'>): void {
    this.#overrides.delete(e.payload.callId);
    this.#stepsDone.delete(e.payload.recordId);
    this.#end(e.payload.recordId);
  }

  /** The call is over: its recording is stored. */
  #end(recordId: string): void {
    const call = this.#calls.get(recordId);
    if (!call) return;
    this.#calls.delete(call.recordId);
    for (const [leg, recordId] of this.#legs) if (recordId === call.recordId) this.#legs.delete(leg);
    void this.#track((async () => {
      await call.starting;
      await call.recording?.stop('system', 'call ended');
    })());
  }

  /** A flow's `queue` node (or a `transfer` to the next flow) with `recording`: its keys over the earlier ones'. */
  #onFlowEnded(e: TenorEvent<'flow_ended'>): void {
    const { outcome } = e.payload;
    if (e.payload.how !== 'completed' || !outcome || (outcome.type !== 'queue' && outcome.type !== 'transfer') || !outcome.recording) return;
    const earlier = this.#overrides.get(e.payload.callId);
    this.#override(e.payload.callId, { campaign: earlier?.campaign ?? null, recording: { ...earlier?.recording, ...outcome.recording } });
  }

  // ---- internals ----

  #override(callId: string, override: PolicyOverride): void {
    this.#overrides.delete(callId);
    this.#overrides.set(callId, override);
    if (this.#overrides.size > MAX_REMEMBERED) {
      const oldest = this.#overrides.keys().next().value;
      if (oldest !== undefined) this.#overrides.delete(oldest);
    }
  }

  /** Resolution order: the flow node or campaign, then the queue, then the site (docs/recording.md). */
  #policyFor(customerCallId: string, queue: string | null): EffectivePolicy {
    return effectivePolicy(this.#d.site, queue !== null ? this.#d.queuePolicy(queue) : undefined, this.#overrides.get(customerCallId)?.recording);
  }

  #optedOut(agent: string): boolean {
    return this.#d.site.agentOptOut === true && this.#d.optedOut(agent);
  }

  #start(call: ConnectedCallState, by: string, reason: string | undefined): Promise<void> {
    const run = (async () => {
      const id = randomUUID();
      const startedAt = this.#d.now();
      const deps = {
        repo: this.#d.repo, files: this.#d.files, bus: this.#d.bus, log: this.#d.log, now: this.#d.now,
        maxPauseMs: call.policy.maxPauseSeconds * 1000, retentionDays: call.policy.retentionDays,
      };
      try {
        const handle = await call.customer.startRecording({ file: this.#d.files.incomingPath(id) });
        const live = new LiveRecording({ id, recordId: call.recordId, startedAt, agent: call.agent }, handle, deps);
        live.announceStart(by, { queue: call.queue, campaign: call.campaign, customerId: call.customerId }, reason);
        if (this.#calls.get(call.recordId) === call) call.recording = live;
        else void this.#track(live.stop('system', 'call ended')); // the call ended while the engine started
      } catch (err) {
        // A failed recording never fails the call: logged, and the row says so.
        this.#d.log.error({ err, callId: call.recordId, recordingId: id }, 'recording could not start; the call goes on unrecorded');
        await this.#d.repo.insert({
          id, callId: call.recordId, queue: call.queue, campaign: call.campaign, agent: call.agent, customerId: call.customerId,
          startedAt: new Date(startedAt).toISOString(), state: 'failed',
        }).catch((dbErr: unknown) => this.#d.log.error({ err: dbErr, callId: call.recordId }, 'recording: the failed row could not be written'));
      }
    })();
    const started: Promise<void> = run.finally(() => {
      if (call.starting === started) call.starting = undefined;
    });
    call.starting = started;
    return started;
  }

  #track(p: Promise<void>): Promise<void> {
    const tracked = p.catch((err: unknown) => this.#d.log.error({ err }, 'recording: stopping failed'));
    this.#finishing.add(tracked);
    void tracked.finally(() => this.#finishing.delete(tracked));
    return tracked;
  }
}
