// The agent's day over real HTTP on a real SQLite file: the figures are the
// reports' own for the same stored records (call records and the agent state
// log, written through the ACD's repositories as the ACD writes them), the
// recent calls carry the disposition given on the customer's timeline, and an
// agent reads only their own day.

import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentStateLog } from '../../src/services/acd/store/agent-state-log.js';
import { CallRecordsRepository } from '../../src/services/acd/store/call-records.js';
import type { AgentState } from '../../src/services/acd/agent-state.js';
import { presetPeriod } from '../../src/services/reports/buckets.js';
import { defaultTimeZone } from '../../src/services/reports/query.js';
import type { AgentDayFigures } from '../../src/services/reports/agent-day.js';
import { basic, seedPeople, startAccessServer, type AccessServer } from '../access/harness.js';

const S = 1000;
const ANN = basic('ann', 'ann-password');
const BOB = basic('bob', 'bob-password');
const SUE = basic('sue', 'sue-password');

interface Day {
  agent: string;
  period: { from: string; to: string; timeZone: string };
  figures: AgentDayFigures;
  recentCalls: { id: string; number: string; disposition: string | null; talkSeconds: number | null; outcome: string | null }[];
}

async function get<T>(server: AccessServer, auth: string, url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url}${url}`, { headers: { authorization: auth } });
  return { status: res.status, body: (await res.json()) as T };
}

/** One answered call as the ACD records it: queue, agent segment, talk; all times ms. */
async function answeredCall(records: CallRecordsRepository, c: { id: string; agent: string; from: string; customerId: string; arrived: number; answered: number; talkS: number }): Promise<void> {
  await records.open({ id: c.id, direction: 'inbound', from: c.from, to: '100', customerId: c.customerId, arrivedAt: c.arrived });
  await records.update(c.id, { queue: 'sales', queuedAt: c.arrived });
  const queueSeg = await records.addSegment(c.id, { kind: 'queue', queue: 'sales', startedAt: c.arrived });
  const agentSeg = await records.addSegment(c.id, { kind: 'agent', queue: 'sales', agent: c.agent, startedAt: c.arrived });
  const end = c.answered + c.talkS * S;
  await records.updateSegment(c.id, queueSeg, { endedAt: c.answered, outcome: 'answered' });
  await records.updateSegment(c.id, agentSeg, { offeredAt: c.arrived, answeredAt: c.answered, endedAt: end, outcome: 'answered' });
  await records.update(c.id, {
    offeredAt: c.arrived, answeredAt: c.answered, agent: c.agent, outcome: 'answered', waitMs: c.answered - c.arrived, endedAt: end,
    talkMs: c.talkS * S, holdMs: 0, endCause: 'normal', live: false,
  });
}

t.test("the agent's day: the reports' figures for the same records, recent calls with their disposition, own day only", async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server);
  // The day's records lie in the last five minutes: right after midnight, wait until today has five minutes.
  const timeZone = defaultTimeZone({});
  const sinceMidnight = Date.now() - presetPeriod(timeZone, 'today', Date.now()).start;
  if (sinceMidnight < 330 * S) await sleep(330 * S - sinceMidnight);
  const base = Date.now() - 300 * S;
  const at = (s: number): number => base + s * S;

  const crm = server.services.get('crm');
  const customer = await crm.create('Customer', { name: 'Grace Hopper', phones: ['+12125550100'] });
  const records = new CallRecordsRepository(server.services.get('store'));
  await answeredCall(records, { id: 'd1', agent: 'ann', from: '+12125550100', customerId: String(customer.id), arrived: at(10), answered: at(15), talkS: 60 });
  await answeredCall(records, { id: 'd2', agent: 'ann', from: '+12125550177', customerId: String(customer.id), arrived: at(100), answered: at(104), talkS: 40 });
  await answeredCall(records, { id: 'd3', agent: 'bob', from: '+12125550188', customerId: String(customer.id), arrived: at(20), answered: at(30), talkS: 30 });
  // The disposition the agent gave d1 in the notes form, on the customer's timeline.
  await crm.create('Interaction', { customer: customer.id, channel: 'note', direction: 'internal', occurredAt: new Date(at(80)).toISOString(), callId: 'd1', disposition: 'sold' });

  const log = new AgentStateLog(server.services.get('store'));
  const ann: [number, AgentState, AgentState, string, string?][] = [
    [0, 'logged-out', 'ready', ''],
    [10, 'ready', 'offered', '', 'd1'],
    [15, 'offered', 'on-call', '', 'd1'],
    [75, 'on-call', 'wrap-up', '', 'd1'],
    [95, 'wrap-up', 'ready', ''],
    [100, 'ready', 'offered', '', 'd2'],
    [104, 'offered', 'on-call', '', 'd2'],
    [144, 'on-call', 'wrap-up', '', 'd2'],
    [154, 'wrap-up', 'ready', ''],
    [160, 'ready', 'break', 'lunch'],
    [200, 'break', 'ready', ''],
    [220, 'ready', 'logged-out', ''],
  ];
  for (const [s, from, to, reason, callId] of ann) await log.append({ login: 'ann', from, to, reason, at: at(s), callId });

  const own = await get<Day>(server, ANN, '/api/agents/ann/day');
  t.equal(own.status, 200);
  const day = own.body;
  t.equal(day.agent, 'ann');
  t.equal(day.period.timeZone, timeZone, "the day in the reports' time zone");
  // By hand: talk 60 and 40 s; wrap-up 20 and 10 s; offered 5 + 4 s; ready 10 + 5 + 6 + 20 s; break 40 s.
  t.match(day.figures, {
    callsHandled: 2, avgTalkSeconds: 50, avgWrapUpSeconds: 15,
    states: { loggedInSeconds: 220, readySeconds: 41, offeredSeconds: 9, onCallSeconds: 100, wrapUpSeconds: 30, breakSeconds: 40, breakByReason: { lunch: 40 } },
  });

  // The same figures as the reports give a supervisor for the same records.
  const report = await get<{ byAgent: Record<string, unknown>[] }>(server, SUE, '/api/reports/agents?period=today&interval=day&agent=ann');
  const { agent: _agent, callsHandled, ...states } = report.body.byAgent[0] ?? {};
  t.same(day.figures.states, states, 'time in each state: the agent report');
  t.equal(day.figures.callsHandled, callsHandled, 'calls handled: the agent report');
  const inbound = await get<{ total: { avgTalkSeconds: number; avgWrapUpSeconds: number } }>(server, SUE, '/api/reports/inbound?period=today&agent=ann');
  t.equal(day.figures.avgTalkSeconds, inbound.body.total.avgTalkSeconds, 'average talk: the inbound report');
  t.equal(day.figures.avgWrapUpSeconds, inbound.body.total.avgWrapUpSeconds, 'average wrap-up: the inbound report');

  t.same(day.recentCalls.map((c) => [c.id, c.number, c.talkSeconds, c.outcome, c.disposition]), [
    ['d2', '+12125550177', 40, 'answered', null],
    ['d1', '+12125550100', 60, 'answered', 'sold'],
  ], 'her calls of the day, newest first, with the disposition given');

  // Whose day.
  t.equal((await get(server, ANN, '/api/agents/bob/day')).status, 403, "an agent may not read another agent's day");
  const bobs = await get<Day>(server, BOB, '/api/agents/bob/day');
  t.equal(bobs.body.figures.callsHandled, 1, 'bob reads his own');
  t.same(bobs.body.recentCalls.map((c) => c.id), ['d3']);
  t.equal((await get<Day>(server, SUE, '/api/agents/ann/day')).body.figures.callsHandled, 2, 'a supervisor reads any agent');
  t.equal((await get(server, SUE, '/api/agents/nobody/day')).status, 404, 'an unknown agent');
  t.equal((await get(server, SUE, '/api/agents/ann/day?recent=500')).status, 400, 'recent calls are bounded');
  t.equal((await fetch(`${server.url}/api/agents/ann/day`)).status, 401, 'no credentials');
});
