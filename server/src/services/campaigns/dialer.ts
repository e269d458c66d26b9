// The live dialer of one running campaign. On every tick (once a second, and
// at once when an agent of the campaign becomes ready or a call ends) it builds
// the PacingSnapshot from live state, asks decidePacing how many calls to
// place, and places them: the attempt is written ('dialing') before the INVITE
// leaves, the do-not-call list is read right before it, the callee's calling
// window and the 72-hour abandon block are checked. An answered call goes
// through answering-machine detection; a person (or an unsure result) is put
// into the campaign's ACD queue at top priority and must reach an agent within
// 2 s, or the dialer takes it back, plays the identification message, hangs up
// and records an abandon.

import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AmdResult, Call, HangupCause, TelephonyDriver } from '@tenor/telephony';
import type { EventBus } from '../../core/events.js';
import type { Database } from '../../store/database.js';
import { causeOf, isLive, type AcdService, type Clock, type TimerHandle } from '../acd/index.js';
import { DialingRefusedError } from '../dialing/index.js';
import { ABANDON_REDIAL_BLOCK_MS, CONNECT_WITHIN_MS, abandonWindowMs, type AttemptOutcome, type CampaignDefinition } from './model.js';
import { AbandonTracker, buildPacingSnapshot, decidePacing, defaultPacingSettings, PacingStatsEstimator, type PacingSnapshot } from './pacing/index.js';
import { nextStep } from './retry.js';
import type { AttemptsRepository } from './store/attempts.js';
import type { CampaignRecord, CampaignsRepository } from './store/campaigns.js';
import type { DncRepository } from './store/dnc.js';
import { insideWindow } from './window.js';
import './events.js';

export interface DialerDeps {
  db: Database;
  campaigns: CampaignsRepository;
  attempts: AttemptsRepository;
  dnc: DncRepository;
  driver: TelephonyDriver;
  acd: AcdService;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  /** Called after each attempt ends (the service publishes figures, throttled). */
  onAttemptEnded: (campaign: string) => void;
}

/** Top priority in the campaign's queue: an answered outbound call must not wait behind anyone. */
const OUTBOUND_PRIORITY = 1_000_000;
const TICK_MS = 1000;

type Phase = 'dialing' | 'answering' | 'waiting-agent' | 'connected';

export class CampaignDialer {
  #def: CampaignDefinition;
  readonly #d: DialerDeps;
  readonly #log: Logger;
  readonly #estimator = new PacingStatsEstimator();
  /** Calls of this campaign in progress, by attempt id. */
  readonly #calls = new Map<string, { phase: Phase; phone: string; abort: AbortController; since: number }>();
  /** Live answers and abandons of the compliance window (loaded from the attempts table, then kept up to date). */
  #abandons: AbandonTracker;
  readonly #wrapUpSince = new Map<string, number>();
  #timer: TimerHandle | undefined;
  #ticking = false;
  #again = false;
  #running = false;
  #conservative: boolean;
  #lastReason = 'not started';
  readonly #unsubscribe: (() => void)[] = [];

  constructor(def: CampaignDefinition, deps: DialerDeps, opts: { conservative: boolean }) {
    this.#def = def;
    this.#d = deps;
    this.#conservative = opts.conservative;
    this.#log = deps.logger.child({ campaign: def.name });
    this.#abandons = new AbandonTracker(abandonWindowMs(def.abandonWindow));
  }

  get definition(): CampaignDefinition {
    return this.#def;
  }

  get lastReason(): string {
    return this.#lastReason;
  }

  get conservative(): boolean {
    return this.#conservative;
  }

  /** Calls placed and not ended yet. */
  get activeCalls(): number {
    return this.#calls.size;
  }

  /**
   * Feed the pacing estimator with the campaign's recent attempts, so a paused
   * and resumed campaign does not learn its rates again. Not after a crash:
   * then the pacer starts conservative and measures fresh calls.
   */
  async learnFromHistory(limit = 500): Promise<number> {
    // The compliance window always comes from the record, restart or not.
    const since = this.#d.clock.now() - abandonWindowMs(this.#def.abandonWindow);
    this.#abandons = new AbandonTracker(abandonWindowMs(this.#def.abandonWindow), await this.#d.attempts.liveAnswers(this.#def.name, since));
    if (this.#conservative) return 0;
    const recent = (await this.#d.attempts.recent(this.#def.name, limit)).reverse();
    for (const a of recent) {
      const toAnswer = a.answeredAt !== undefined ? a.answeredAt - a.startedAt : undefined;
      switch (a.outcome) {
        case 'answered-human':
        case 'abandoned':
          this.#estimator.recordAttempt('live', toAnswer);
          if (a.talkMs !== undefined) this.#estimator.recordTalk(a.talkMs);
          break;
        case 'machine':
        case 'busy':
        case 'no-answer':
        case 'failed':
          this.#estimator.recordAttempt(a.outcome, toAnswer);
          break;
        default:
          break; // not dialed (DNC, skipped) or not known (crash): says nothing about the list
      }
    }
    return recent.length;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#listenToAgents();
    this.#schedule();
    this.poke();
  }

  /** The event bus was replaced: listen to the new one (a running dialer only). */
  busReplaced(): void {
    if (!this.#running) return;
    for (const u of this.#unsubscribe.splice(0)) u();
    this.#listenToAgents();
  }

  #listenToAgents(): void {
    this.#unsubscribe.push(this.#d.bus.subscribe('agent_state_changed', (e) => {
      const p = e.payload;
      const agent = this.#d.acd.agent(p.login);
      if (!agent?.profile.queues.some((q) => q.queue === this.#def.queue)) return;
      const at = Date.parse(p.at);
      if (p.to === 'wrap-up') this.#wrapUpSince.set(p.login, at);
      if (p.from === 'wrap-up') {
        const since = this.#wrapUpSince.get(p.login);
        if (since !== undefined) this.#estimator.recordWrapUp(at - since);
        this.#wrapUpSince.delete(p.login);
      }
      if (p.to === 'ready') this.poke();
    }));
  }

  /** No new calls; calls in progress go on to their end. */
  pause(): void {
    this.#running = false;
    this.#timer?.cancel();
    this.#timer = undefined;
    for (const u of this.#unsubscribe.splice(0)) u();
  }

  /** Pause, and cancel calls still ringing (answered calls go on). */
  stop(): void {
    this.pause();
    for (const c of this.#calls.values()) if (c.phase === 'dialing') c.abort.abort('campaign stopped');
  }

  /** Wait until every call of this campaign has ended (bounded). */
  async settle(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.#calls.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  }

  /** Run a tick as soon as possible (an agent became ready, a call ended). */
  poke(): void {
    if (!this.#running) return;
    if (this.#ticking) {
      this.#again = true;
      return;
    }
    void this.#tick();
  }

  #schedule(): void {
    this.#timer = this.#d.clock.setTimer(TICK_MS, () => {
      if (!this.#running) return;
      this.#schedule();
      this.poke();
    });
  }

  async #tick(): Promise<void> {
    this.#ticking = true;
    try {
      do {
        this.#again = false;
        await this.#round();
      } while (this.#again && this.#running);
    } catch (err) {
      this.#log.error({ err }, 'dialer tick failed');
    } finally {
      this.#ticking = false;
    }
  }

  #snapshot(now: number): PacingSnapshot {
    const agents = this.#d.acd.queueAgents(this.#def.queue);
    const dialingSince: number[] = [];
    let answering = 0;
    let waiting = 0;
    for (const c of this.#calls.values()) {
      if (c.phase === 'dialing') dialingSince.push(c.since);
      else if (c.phase === 'answering') answering++;
      else if (c.phase === 'waiting-agent') waiting++;
    }
    // The same builder the simulator uses: the pacer is fed alike in both.
    return buildPacingSnapshot(
      {
        now, mode: this.#def.mode,
        agentsReady: agents.filter((a) => a.state === 'ready').length,
        agentsBusy: agents
          .filter((a) => a.state === 'on-call' || a.state === 'offered' || a.state === 'wrap-up')
          .map((a) => ({ state: a.state === 'wrap-up' ? ('wrap-up' as const) : ('talking' as const), since: a.stateSince })),
        callsDialing: dialingSince.length, dialingSince, callsAnswering: answering, callsWaitingForAgent: waiting,
      },
      { stats: this.#estimator, abandons: this.#abandons, abandonCap: this.#def.abandonCap, conservative: this.#conservative },
    );
  }

  async #round(): Promise<void> {
    if (!this.#running) return;
    const now = this.#d.clock.now();
    await this.#handOverCallbacks(now);
    if (this.#def.mode === 'preview') return;
    if (this.#conservative && this.#estimator.stats().attempts >= defaultPacingSettings.minAttempts) {
      this.#conservative = false;
      this.#log.info('enough calls measured since the restart; pacing no longer conservative');
    }
    const snapshot = this.#snapshot(now);
    const decision = decidePacing(snapshot);
    this.#lastReason = decision.reason;
    if (decision.dial <= 0) return;
    const records = await this.nextRecords(decision.dial, now);
    if (records.length > 0) this.#log.info({ dial: records.length, asked: decision.dial, reason: decision.reason }, 'placing calls');
    for (const record of records) {
      if (!this.#running) break;
      await this.#place(record);
    }
  }

  /**
   * The next records to call: due, attempts left, inside the callee's window,
   * not abandoned within 72 h, not already being called. (The DNC list is
   * read again right before the INVITE.)
   */
  async nextRecords(n: number, now: number): Promise<CampaignRecord[]> {
    const busy = new Set([...this.#calls.values()].map((c) => c.phone));
    const out: CampaignRecord[] = [];
    for (const r of await this.#d.campaigns.due(this.#def.name, now, 500)) {
      if (out.length >= n) break;
      if (busy.has(r.phone) || r.attempts >= this.#def.maxAttempts) continue;
      if (!insideWindow(now, r.timeZone, this.#def.window)) continue;
      if ((await this.#d.attempts.lastAbandon(r.phone, now - ABANDON_REDIAL_BLOCK_MS)) !== undefined) continue;
      out.push(r);
    }
    return out;
  }

  /** Callbacks agents scheduled that are due: the ACD reserves an agent, then calls the number. */
  async #handOverCallbacks(now: number): Promise<void> {
    for (const r of await this.#d.campaigns.callbacksDue(this.#def.name, now)) {
      if (await this.#d.dnc.blocked(r.phone)) {
        await this.#d.campaigns.updateRecord(r.campaign, r.phone, { state: 'done', lastOutcome: 'dnc-blocked' });
        this.#log.warn({ phone: r.phone }, 'scheduled callback to a number now on the do-not-call list; not called');
        continue;
      }
      this.#d.acd.requestCallback({
        queue: this.#def.queue, number: r.phone, priority: OUTBOUND_PRIORITY, reason: `campaign ${this.#def.name}`,
        ...(r.customerId !== undefined ? { customerId: String(r.customerId) } : {}),
        ...(r.name !== undefined ? { customerName: r.name } : {}),
        ...(this.#def.trunk !== undefined ? { trunk: this.#def.trunk } : {}),
      });
      await this.#d.campaigns.updateRecord(r.campaign, r.phone, { state: 'done', lastOutcome: 'callback' });
      this.#log.info({ phone: r.phone, agent: r.callbackAgent }, 'scheduled callback handed to the ACD');
    }
  }

  /** Write the attempt, check the DNC list, dial, and follow the call in the background. */
  async #place(record: CampaignRecord): Promise<void> {
    const id = randomUUID();
    const attempt = record.attempts + 1;
    const startedAt = this.#d.clock.now();
    const abort = new AbortController();
    this.#calls.set(id, { phase: 'dialing', phone: record.phone, abort, since: startedAt });
    try {
      // Crash safety: on disk before the INVITE leaves.
      await this.#d.db.transaction(async (tx) => {
        await this.#d.attempts.open({ id, campaign: this.#def.name, phone: record.phone, customerId: record.customerId, attempt, startedAt }, tx);
        await this.#d.campaigns.updateRecord(this.#def.name, record.phone, { state: 'in-progress', attempts: attempt }, tx);
      });
    } catch (err) {
      this.#calls.delete(id);
      throw err;
    }
    if (await this.#d.dnc.blocked(record.phone)) {
      this.#log.warn({ phone: record.phone, attemptId: id }, 'number on the do-not-call list; not dialed');
      await this.#finish(id, record, attempt, startedAt, { outcome: 'dnc-blocked' }, { state: 'done' });
      return;
    }
    void this.#call(id, record, attempt, startedAt, abort.signal).catch((err: unknown) => {
      this.#log.error({ err, attemptId: id, phone: record.phone }, 'campaign call failed');
      return this.#finish(id, record, attempt, startedAt, { outcome: 'failed' });
    });
  }

  #phase(id: string, phase: Phase): void {
    const c = this.#calls.get(id);
    if (c) c.phase = phase;
  }

  async #call(id: string, record: CampaignRecord, attempt: number, startedAt: number, signal: AbortSignal): Promise<void> {
    const def = this.#def;
    let call: Call;
    try {
      call = await this.#d.driver.originate(
        { kind: 'number', number: record.phone, ...(def.trunk !== undefined ? { trunk: def.trunk } : {}) },
        { callerId: { number: def.callerId }, timeoutMs: def.ringTimeSeconds * 1000, signal, headers: { 'X-Tenor-Campaign': def.name } },
      );
    } catch (err) {
      if (err instanceof DialingRefusedError && err.permanent) {
        // The site does not dial this number (docs/dialing-policy.md): trying again would only be refused again.
        this.#log.warn({ phone: record.phone, attemptId: id, reason: err.reason }, 'number refused by the dialing policy; not dialed again');
        await this.#finish(id, record, attempt, startedAt, { outcome: 'failed' }, { state: 'done' });
        return;
      }
      const outcome = outcomeOfCause(causeOf(err));
      this.#estimator.recordAttempt(outcome === 'busy' ? 'busy' : outcome === 'no-answer' ? 'no-answer' : 'failed');
      this.#log.info({ phone: record.phone, attemptId: id, outcome, cause: causeOf(err) }, 'not answered');
      await this.#finish(id, record, attempt, startedAt, { outcome });
      return;
    }
    const log = this.#log.child({ callId: call.id, attemptId: id, phone: record.phone });
    const answeredAt = this.#d.clock.now();
    await this.#d.attempts.update(id, { callId: call.id, answeredAt });
    this.#phase(id, 'answering');

    let amd: AmdResult | undefined;
    if (def.amd) {
      amd = await call.detectAnsweringMachine();
      log.info({ amd: amd.result, reason: amd.reason, ms: amd.durationMs }, 'answering-machine detection');
    }
    if (!isLive(call)) {
      this.#estimator.recordAttempt(amd?.result === 'machine' ? 'machine' : 'live', answeredAt - startedAt);
      await this.#finish(id, record, attempt, startedAt, { outcome: amd?.result === 'machine' ? 'machine' : 'abandoned', amd: amd?.result, answeredAt });
      return;
    }
    if (amd?.result === 'machine') {
      this.#estimator.recordAttempt('machine', answeredAt - startedAt);
      await call.hangup('normal');
      await this.#finish(id, record, attempt, startedAt, { outcome: 'machine', amd: 'machine', answeredAt });
      return;
    }
    this.#estimator.recordAttempt('live', answeredAt - startedAt);
    this.#phase(id, 'waiting-agent');
    const live = await this.#connect(call, record, log);
    if (live.agent === undefined) {
      let played = false;
      if (isLive(call)) {
        const result = await call.play({ prompts: [def.identificationPrompt] });
        played = result.reason === 'done';
        if (isLive(call)) await call.hangup('normal');
      }
      log.warn({ identificationPlayed: played }, 'no agent within 2 s: abandoned');
      await this.#finish(id, record, attempt, startedAt, { outcome: 'abandoned', amd: amd?.result, answeredAt, identificationPlayed: played });
      return;
    }
    this.#phase(id, 'connected');
    const end = await live.ended;
    const talkMs = Math.max(0, end - live.connectedAt);
    this.#estimator.recordTalk(talkMs);
    await this.#finish(id, record, attempt, startedAt, { outcome: 'answered-human', amd: amd?.result, answeredAt, agent: live.agent, talkMs });
  }

  /**
   * Hand a live call to the campaign's queue and wait up to 2 s for an agent.
   * Returns the agent and when the connected call ended, or no agent (the call
   * was taken back from the ACD and is still up).
   */
  async #connect(call: Call, record: CampaignRecord, log: Logger): Promise<{ agent: undefined } | { agent: string; connectedAt: number; ended: Promise<number> }> {
    let unsubscribe: () => void = () => undefined;
    const answered = new Promise<string>((resolve) => {
      unsubscribe = this.#d.bus.subscribe('call_answered', (e) => {
        if (e.payload.callId === call.id) resolve(e.payload.agent);
      });
    });
    // Before the ACD can connect it: the recording service takes the campaign's policy for this call.
    this.#d.bus.publish('campaign_call_queued', {
      campaign: this.#def.name, callId: call.id, queue: this.#def.queue, ...(this.#def.recording !== undefined ? { recording: this.#def.recording } : {}),
    });
    const result = this.#d.acd.enqueueCall(call, {
      queue: this.#def.queue, priority: OUTBOUND_PRIORITY,
      ...(record.customerId !== undefined ? { customerId: String(record.customerId) } : {}),
      ...(record.name !== undefined ? { customerName: record.name } : {}),
    });
    let timer: TimerHandle | undefined;
    const timedOut = new Promise<undefined>((resolve) => {
      timer = this.#d.clock.setTimer(CONNECT_WITHIN_MS, () => resolve(undefined));
    });
    const gone = result.then(() => undefined);
    const agent = await Promise.race([answered, timedOut, gone]);
    timer?.cancel();
    unsubscribe();
    if (agent === undefined) {
      // Not connected in time: take it back unless an agent answered at this very moment.
      if (this.#d.acd.withdrawCall(call.id) || !isLive(call)) {
        await result;
        return { agent: undefined };
      }
      const late = await Promise.race([answered, result.then(() => undefined)]);
      if (late === undefined) return { agent: undefined };
      log.info({ agent: late }, 'agent answered at the 2 s limit');
      return { agent: late, connectedAt: this.#d.clock.now(), ended: result.then(() => this.#d.clock.now()) };
    }
    log.info({ agent }, 'connected to agent');
    return { agent, connectedAt: this.#d.clock.now(), ended: result.then(() => this.#d.clock.now()) };
  }

  async #finish(
    id: string, record: CampaignRecord, attempt: number, startedAt: number,
    fields: { outcome: AttemptOutcome; amd?: string | undefined; agent?: string; answeredAt?: number; identificationPlayed?: boolean; talkMs?: number },
    step = nextStep(this.#def, fields.outcome, attempt, this.#d.clock.now()),
  ): Promise<void> {
    const endedAt = this.#d.clock.now();
    const durationMs = endedAt - startedAt;
    if (fields.outcome === 'answered-human' || fields.outcome === 'abandoned') this.#abandons.record(fields.answeredAt ?? endedAt, fields.outcome === 'abandoned');
    try {
      await this.#d.attempts.update(id, {
        status: 'ended', outcome: fields.outcome, endedAt, durationMs,
        ...(fields.amd !== undefined ? { amd: fields.amd } : {}),
        ...(fields.agent !== undefined ? { agent: fields.agent } : {}),
        ...(fields.answeredAt !== undefined ? { answeredAt: fields.answeredAt } : {}),
        ...(fields.identificationPlayed !== undefined ? { identificationPlayed: fields.identificationPlayed } : {}),
        ...(fields.talkMs !== undefined ? { talkMs: fields.talkMs } : {}),
      });
      await this.#d.campaigns.updateRecord(this.#def.name, record.phone, step.state === 'done'
        ? { state: 'done', lastOutcome: fields.outcome }
        : { state: 'pending', nextDueAt: step.nextDueAt, lastOutcome: fields.outcome });
    } finally {
      const callId = (await this.#d.attempts.get(id))?.callId;
      this.#calls.delete(id);
      this.#d.bus.publish('campaign_attempt', {
        campaign: this.#def.name, attemptId: id, phone: record.phone, attempt, outcome: fields.outcome, amd: fields.amd, agent: fields.agent,
        callId, identificationPlayed: fields.identificationPlayed ?? false, durationMs,
      });
      this.#d.onAttemptEnded(this.#def.name);
      this.poke();
    }
  }
}

/** Attempt outcome of a call that was not answered. */
export function outcomeOfCause(cause: HangupCause | undefined): AttemptOutcome {
  if (cause === 'busy') return 'busy';
  if (cause === 'no-answer' || cause === 'cancelled') return 'no-answer';
  return 'failed';
}
