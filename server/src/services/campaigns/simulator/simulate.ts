// The pacing simulator: a discrete-event simulation of one campaign's calls
// and agents, paced by the very decidePacing the live dialer calls, fed
// through the same estimator, abandon tracker and snapshot builder.
//
// Each attempt: dial → ring → (live person | answering machine) after a
// sampled delay, busy after a few seconds, or no answer at the ring timeout.
// An answered call goes through answering-machine detection; a person then
// needs a free agent within 2 s or the call is abandoned (the identification
// message plays; counted against the cap). Agents talk, wrap up, and are ready
// again. Working days of `shiftHours`; the dialer stops at the end of a shift
// and calls in progress finish.

import { AbandonTracker } from '../pacing/abandon-tracker.js';
import { decidePacing } from '../pacing/index.js';
import { resolvePacingSettings } from '../pacing/settings.js';
import { buildPacingSnapshot, type BusyAgent } from '../pacing/snapshot.js';
import { PacingStatsEstimator, type AttemptOutcome } from '../pacing/stats-estimator.js';
import { EventQueue } from './event-queue.js';
import { validateSimulationOptions } from './validate.js';
import { Prng, sampleDuration } from './prng.js';
import type { SimulationOptions } from './options.js';
import type { DialMode } from '../pacing/types.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface SimulationResult {
  mode: DialMode;
  agents: number;
  days: number;
  shiftHours: number;
  dialed: number;
  liveAnswers: number;
  machineAnswers: number;
  /** Live answers that reached an agent. */
  contacts: number;
  abandoned: number;
  /** abandoned / liveAnswers over the whole run. */
  abandonRate: number;
  /** Highest compliance-window rate seen at the end of each working day. */
  worstWindowRate: number;
  /** Talk + wrap-up minutes per logged-in agent-hour. */
  occupancyMinPerHour: number;
  contactsPerHour: number;
  contactsPerAgentHour: number;
  /** Mean time an agent waited from ready to the next connected call (s). */
  meanAgentWaitS: number;
  /** Events processed (for speed figures). */
  events: number;
}

type AgentState = 'ready' | 'talking' | 'wrap-up' | 'previewing' | 'own-call';

interface Agent {
  state: AgentState;
  since: number;
  readySince: number;
  busyStart: number;
}

type CallPhase = 'dialing' | 'answering' | 'waiting' | 'done';

interface Call {
  outcome: AttemptOutcome;
  dialedAt: number;
  answeredAt: number;
  phase: CallPhase;
  /** Preview mode: the agent who dialed it. */
  owner: Agent | undefined;
}

type SimEvent =
  | { kind: 'tick' }
  | { kind: 'shift-start'; day: number }
  | { kind: 'shift-end' }
  | { kind: 'answered'; call: Call }
  | { kind: 'classified'; call: Call }
  | { kind: 'failed'; call: Call }
  | { kind: 'deadline'; call: Call }
  | { kind: 'talk-end'; agent: Agent }
  | { kind: 'wrap-end'; agent: Agent }
  | { kind: 'preview-dial'; agent: Agent };

/** A FIFO with O(1) pop from the front. */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;
  push(x: T): void {
    this.items.push(x);
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const x = this.items[this.head++];
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return x;
  }
}

export function simulate(options: SimulationOptions): SimulationResult {
  validateSimulationOptions(options);
  const o = options;
  const rng = new Prng(o.seed);
  const settings = resolvePacingSettings({ agentWithinMs: o.agentWithinMs, ...o.pacing });
  const estimator = new PacingStatsEstimator({ initialTalkMs: o.talk.meanMs, initialWrapUpMs: o.wrapUp.meanMs });
  const tracker = new AbandonTracker(o.window);
  const queue = new EventQueue<SimEvent>();
  const shiftMs = o.shiftHours * HOUR_MS;
  const dayMs = Math.max(DAY_MS, shiftMs);

  const agents: Agent[] = Array.from({ length: o.agents }, () => ({ state: 'ready', since: 0, readySince: 0, busyStart: 0 }));
  let ready = new Fifo<Agent>();
  let readyCount = 0;
  const waiting = new Fifo<Call>();
  let waitingCount = 0;
  let dialingCount = 0;
  /** When each call ringing now was placed, ascending (the pacer is told how long each has rung). */
  const dialingSince: number[] = [];
  const stopRinging = (call: Call): void => {
    // Calls placed at the same instant are interchangeable here: remove any one of them.
    const i = dialingSince.indexOf(call.dialedAt);
    if (i >= 0) dialingSince.splice(i, 1);
  };
  let answeringCount = 0;

  let shiftOn = false;
  let shiftStart = 0;
  let shiftEnd = 0;

  const r = {
    dialed: 0,
    liveAnswers: 0,
    machineAnswers: 0,
    contacts: 0,
    abandoned: 0,
    worstWindowRate: 0,
    busyMs: 0,
    waitMs: 0,
    waits: 0,
    events: 0,
  };

  const inShift = (t: number): boolean => shiftOn && t >= shiftStart && t <= shiftEnd;

  function dial(now: number, owner?: Agent): void {
    r.dialed++;
    const u = rng.next();
    const outcome: AttemptOutcome =
      u < o.liveAnswerRate
        ? 'live'
        : u < o.liveAnswerRate + o.machineRate
          ? 'machine'
          : u < o.liveAnswerRate + o.machineRate + o.busyRate
            ? 'busy'
            : 'no-answer';
    const call: Call = { outcome, dialedAt: now, answeredAt: 0, phase: 'dialing', owner };
    dialingCount++;
    dialingSince.push(now);
    if (outcome === 'live' || outcome === 'machine') {
      // Answered calls answer before the timeout (a later "answer" would be a no-answer).
      const delay = Math.min(sampleDuration(rng, o.ring), o.ringTimeoutMs - 500);
      queue.push(now + delay, { kind: 'answered', call });
    } else {
      queue.push(now + (outcome === 'busy' ? o.busyAfterMs : o.ringTimeoutMs), { kind: 'failed', call });
    }
  }

  function connect(now: number, agent: Agent, call: Call): void {
    if (call.phase === 'waiting') waitingCount--;
    call.phase = 'done';
    tracker.record(now, false);
    r.contacts++;
    if (inShift(now)) {
      r.waitMs += now - agent.readySince;
      r.waits++;
    }
    agent.state = 'talking';
    agent.since = now;
    agent.busyStart = now;
    queue.push(now + sampleDuration(rng, o.talk), { kind: 'talk-end', agent });
  }

  /**
   * An agent is free: take a waiting caller, else wait (or, in preview, read the
   * next record). `stillWaiting`: a preview agent whose own call failed keeps
   * waiting since the end of the last conversation.
   */
  function agentFree(now: number, agent: Agent, stillWaiting = false): void {
    if (!stillWaiting) agent.readySince = now;
    agent.since = now;
    if (o.mode === 'preview') {
      if (shiftOn) {
        agent.state = 'previewing';
        queue.push(now + o.previewMs, { kind: 'preview-dial', agent });
      } else agent.state = 'ready';
      return;
    }
    for (let call = waiting.shift(); call; call = waiting.shift()) {
      if (call.phase === 'waiting') {
        connect(now, agent, call);
        return;
      }
    }
    agent.state = 'ready';
    ready.push(agent);
    readyCount++;
  }

  function busyAgents(): BusyAgent[] {
    const busy: BusyAgent[] = [];
    for (const a of agents) if (a.state === 'talking' || a.state === 'wrap-up') busy.push({ state: a.state, since: a.since });
    return busy;
  }

  function pace(now: number): void {
    const snapshot = buildPacingSnapshot(
      {
        now,
        mode: o.mode,
        agentsReady: readyCount,
        agentsBusy: busyAgents(),
        callsDialing: dialingCount,
        dialingSince,
        callsAnswering: answeringCount,
        callsWaitingForAgent: waitingCount,
      },
      { stats: estimator, abandons: tracker, abandonCap: o.abandonCap, conservative: false },
    );
    const decision = decidePacing(snapshot, settings);
    o.observe?.(snapshot, decision);
    for (let i = 0; i < decision.dial; i++) dial(now);
  }

  function handle(now: number, e: SimEvent): void {
    switch (e.kind) {
      case 'shift-start': {
        if (e.day > 0) r.worstWindowRate = Math.max(r.worstWindowRate, tracker.rate(now));
        shiftOn = true;
        shiftStart = now;
        shiftEnd = now + shiftMs;
        queue.push(shiftEnd, { kind: 'shift-end' });
        queue.push(now + o.tickMs, { kind: 'tick' });
        // Everyone idle logs in fresh (an agent still busy from yesterday joins when free).
        ready = new Fifo<Agent>();
        readyCount = 0;
        for (const a of agents) if (a.state === 'ready') agentFree(now, a);
        return;
      }
      case 'shift-end': {
        shiftOn = false;
        const day = Math.round(shiftStart / dayMs);
        if (day + 1 < o.days) queue.push((day + 1) * dayMs, { kind: 'shift-start', day: day + 1 });
        return;
      }
      case 'tick':
        if (shiftOn && now + o.tickMs <= shiftEnd) queue.push(now + o.tickMs, { kind: 'tick' });
        return;
      case 'answered': {
        const call = e.call;
        dialingCount--;
        stopRinging(call);
        answeringCount++;
        call.phase = 'answering';
        call.answeredAt = now;
        queue.push(now + (call.outcome === 'live' ? o.amdHumanMs : o.amdMachineMs), { kind: 'classified', call });
        return;
      }
      case 'classified': {
        const call = e.call;
        answeringCount--;
        estimator.recordAttempt(call.outcome, call.answeredAt - call.dialedAt);
        if (call.outcome === 'machine') {
          r.machineAnswers++;
          call.phase = 'done';
          if (call.owner) agentFree(now, call.owner, true);
          return;
        }
        r.liveAnswers++;
        if (call.owner) return connect(now, call.owner, call);
        const agent = ready.shift();
        if (agent) {
          readyCount--;
          return connect(now, agent, call);
        }
        call.phase = 'waiting';
        waiting.push(call);
        waitingCount++;
        queue.push(now + o.agentWithinMs, { kind: 'deadline', call });
        return;
      }
      case 'failed': {
        const call = e.call;
        dialingCount--;
        stopRinging(call);
        call.phase = 'done';
        estimator.recordAttempt(call.outcome);
        if (call.owner) agentFree(now, call.owner, true);
        return;
      }
      case 'deadline': {
        const call = e.call;
        if (call.phase !== 'waiting') return;
        // No agent within the allowed time: the identification message plays, the call is abandoned.
        call.phase = 'done';
        waitingCount--;
        r.abandoned++;
        tracker.record(now, true);
        return;
      }
      case 'talk-end': {
        const a = e.agent;
        estimator.recordTalk(now - a.since);
        a.state = 'wrap-up';
        a.since = now;
        queue.push(now + sampleDuration(rng, o.wrapUp), { kind: 'wrap-end', agent: a });
        return;
      }
      case 'wrap-end': {
        const a = e.agent;
        estimator.recordWrapUp(now - a.since);
        // Occupancy counts only the part inside the shift the call started in.
        const dayStart = Math.floor(a.busyStart / dayMs) * dayMs;
        r.busyMs += Math.max(0, Math.min(now, dayStart + shiftMs) - Math.max(a.busyStart, dayStart));
        agentFree(now, a);
        return;
      }
      case 'preview-dial': {
        const a = e.agent;
        if (!shiftOn) {
          a.state = 'ready';
          return;
        }
        a.state = 'own-call';
        dial(now, a);
        return;
      }
    }
  }

  queue.push(0, { kind: 'shift-start', day: 0 });
  let lastAt = 0;
  for (let next = queue.pop(); next; next = queue.pop()) {
    r.events++;
    lastAt = next.at;
    handle(next.at, next.event);
    if (shiftOn && next.at < shiftEnd) pace(next.at);
  }
  const endOfRun = (o.days - 1) * dayMs + shiftMs;
  r.worstWindowRate = Math.max(r.worstWindowRate, tracker.rate(Math.max(endOfRun, lastAt)));

  const agentHours = o.agents * o.days * o.shiftHours;
  return {
    mode: o.mode,
    agents: o.agents,
    days: o.days,
    shiftHours: o.shiftHours,
    dialed: r.dialed,
    liveAnswers: r.liveAnswers,
    machineAnswers: r.machineAnswers,
    contacts: r.contacts,
    abandoned: r.abandoned,
    abandonRate: r.liveAnswers > 0 ? r.abandoned / r.liveAnswers : 0,
    worstWindowRate: r.worstWindowRate,
    occupancyMinPerHour: r.busyMs / 60_000 / agentHours,
    contactsPerHour: r.contacts / (o.days * o.shiftHours),
    contactsPerAgentHour: r.contacts / agentHours,
    meanAgentWaitS: r.waits > 0 ? r.waitMs / r.waits / 1000 : 0,
    events: r.events,
  };
}
