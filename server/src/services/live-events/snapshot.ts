// The snapshot a client gets on connect (and on resync): what its role may see
// of agents, queues, calls and campaigns, as of now.

import type { FastifyBaseLogger as Logger } from 'fastify';
import type { ServiceManager } from '../../core/service-manager.js';
import type { AcdService, Agent, CallRecord } from '../acd/index.js';
import type { AuthUser } from '../../http/auth.js';
import { seesEverything } from '../../http/auth.js';
import type { LiveAgent, LiveCall, LiveCallRecording, LiveCampaign, LiveContact, LiveCustomer, LiveDialing, LiveQueue, LiveQueueFigures, LiveSnapshot, LiveWaitingCall } from './types.js';
import '../crm/index.js';
import '../campaigns/index.js';
import '../dialing/index.js';
import '../recordings/index.js';

const iso = (ms: number): string => new Date(ms).toISOString();
const secondsSince = (ms: number, now: number): number => Math.max(0, Math.round((now - ms) / 1000));

export function liveAgent(agent: Agent, now: number): LiveAgent {
  return {
    login: agent.login, name: agent.profile.name, state: agent.state, reason: agent.reason, since: iso(agent.stateSince),
    timeInStateSeconds: secondsSince(agent.stateSince, now), callId: agent.callId ?? null, queues: agent.profile.queues.map((q) => q.queue),
    callsAnswered: agent.callsAnswered,
  };
}

export function queueFigures(acd: AcdService, queue: string): LiveQueueFigures | undefined {
  const f = acd.figures(queue);
  if (!f) return undefined;
  return {
    queue, waiting: f.waiting, longestWaitSeconds: Math.round(f.longestWaitMs / 1000), agentsLoggedIn: f.agentsLoggedIn, agentsReady: f.agentsReady,
    agentsBusy: f.agentsBusy, agentsOnBreak: f.agentsOnBreak,
  };
}

function waitingCalls(acd: AcdService, queue: string, now: number): LiveWaitingCall[] {
  return acd.router.waiting(queue).map((e) => ({
    callId: e.callId, entryId: e.id, kind: e.kind, priority: e.priority, position: acd.router.position(e.id) ?? null, callerNumber: e.callerNumber,
    customerId: e.customerId ?? null, customerName: e.customerName ?? null, segment: e.segment ?? null, enteredAt: iso(e.enteredAt), waitSeconds: secondsSince(e.enteredAt, now),
  }));
}

/** A live call's recording, when a recording service runs and records it. */
function recordingOf(services: ServiceManager, recordId: string): LiveCallRecording | null {
  if (!services.has('recordings')) return null;
  return services.get('recordings').liveState(recordId) ?? null;
}

function liveCall(r: CallRecord, services: ServiceManager): LiveCall {
  const state = r.answeredAt !== undefined ? 'connected' : r.offeredAt !== undefined ? 'offered' : r.queuedAt !== undefined ? 'queued' : 'arrived';
  return {
    callId: r.id, direction: r.direction, from: r.from, to: r.to, customerId: r.customerId ?? null, queue: r.queue ?? null, agent: r.agent ?? null, state,
    arrivedAt: iso(r.arrivedAt), answeredAt: r.answeredAt !== undefined ? iso(r.answeredAt) : null, recording: recordingOf(services, r.id),
  };
}

/** The customer's name and segment from the CRM, when there is one and it knows the id. */
async function customerOf(services: ServiceManager, id: string | undefined, log: Logger): Promise<LiveCustomer> {
  if (id === undefined) return { id: null, name: null, segment: null };
  if (!services.has('crm') || !/^\d+$/.test(id)) return { id, name: null, segment: null };
  try {
    const record = (await services.get('crm').entity('Customer').get(Number(id))) as Record<string, unknown>;
    return { id, name: typeof record.name === 'string' ? record.name : null, segment: typeof record.segment === 'string' ? record.segment : null };
  } catch (err) {
    log.debug({ err, customerId: id }, 'customer not found for the live view');
    return { id, name: null, segment: null };
  }
}

/** The agent's current offer or call with its customer, or null when free. */
export async function currentContact(services: ServiceManager, login: string, log: Logger): Promise<LiveContact | null> {
  if (!services.has('acd')) return null;
  const acd = services.get('acd');
  const agent = acd.agent(login);
  const callId = agent?.callId;
  if (!agent || callId === undefined || (agent.state !== 'offered' && agent.state !== 'on-call' && agent.state !== 'wrap-up')) return null;
  const waiting = acd.router.entry(callId);
  if (waiting) {
    return {
      callId, state: agent.state, kind: waiting.kind, queue: waiting.queue, script: acd.queue(waiting.queue)?.script ?? null, callerNumber: waiting.callerNumber,
      customer: { id: waiting.customerId ?? null, name: waiting.customerName ?? null, segment: waiting.segment ?? null }, since: iso(agent.stateSince),
      held: false, consult: null, recording: null,
    };
  }
  const record = await acd.callRecord(callId);
  // Read after the await: hold and consult may have changed meanwhile.
  const connected = agent.state === 'on-call' ? acd.findConnectedCall(login) : undefined;
  return {
    callId, state: agent.state, kind: record?.segments.some((s) => s.kind === 'callback') ? 'callback' : 'call', queue: record?.queue ?? null,
    script: (record?.queue !== undefined ? acd.queue(record.queue)?.script : undefined) ?? null,
    callerNumber: record ? (record.direction === 'inbound' ? record.from : record.to) : null,
    customer: await customerOf(services, record?.customerId, log), since: iso(agent.stateSince),
    held: connected?.held ?? false, consult: connected?.consult ?? null, recording: record ? recordingOf(services, record.id) : null,
  };
}

/** The campaigns for the monitor, when a campaigns service runs; a failure there leaves them out rather than failing the snapshot. */
async function campaignsOf(services: ServiceManager, log: Logger): Promise<LiveCampaign[] | null> {
  if (!services.has('campaigns')) return null;
  try {
    return await services.get('campaigns').live();
  } catch (err) {
    log.warn({ err }, 'campaigns left out of the live snapshot');
    return null;
  }
}

/** The refused outbound calls for the monitor, when a dialing service runs; a failure there leaves them out like the campaigns. */
function dialingOf(services: ServiceManager, log: Logger): LiveDialing | null {
  if (!services.has('dialing')) return null;
  try {
    return services.get('dialing').live();
  } catch (err) {
    log.warn({ err }, 'refused outbound calls left out of the live snapshot');
    return null;
  }
}

export async function buildSnapshot(services: ServiceManager, user: AuthUser, log: Logger): Promise<LiveSnapshot> {
  const now = Date.now();
  const base: LiveSnapshot = { at: iso(now), role: user.role, username: user.username, agent: user.agent ?? null, agents: [], queues: [], calls: [], current: null, campaigns: null, dialing: null };
  if (!services.has('acd')) return base;
  const acd = services.get('acd');
  if (seesEverything(user)) {
    const calls = await acd.callRecords({ live: true, limit: 1000 });
    return {
      ...base,
      agents: acd.agents().map((a) => liveAgent(a, now)),
      queues: acd.queues().flatMap((q) => {
        const figures = queueFigures(acd, q.name);
        return figures ? [{ ...figures, calls: waitingCalls(acd, q.name, now) }] : [];
      }),
      calls: calls.map((c) => liveCall(c, services)),
      campaigns: await campaignsOf(services, log),
      dialing: dialingOf(services, log),
    };
  }
  const agent = user.agent !== undefined ? acd.agent(user.agent) : undefined;
  if (!agent) return base;
  const own = agent.callId !== undefined ? await acd.callRecord(agent.callId) : undefined;
  const queues: LiveQueue[] = agent.profile.queues.flatMap((m) => {
    const figures = queueFigures(acd, m.queue);
    return figures ? [{ ...figures, calls: [] }] : [];
  });
  return {
    ...base,
    agents: [liveAgent(agent, now)],
    queues,
    calls: own?.live ? [liveCall(own, services)] : [],
    current: await currentContact(services, agent.login, log),
  };
}
