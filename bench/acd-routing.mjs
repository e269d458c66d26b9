// ACD routing benchmark: 1,000 agents, 10,000 waiting calls, mixed skills,
// all eight strategies. Prints the time of each routing decision (p50, p99,
// max) and decisions per second on one core.
//
// It runs the compiled router, so build first:
//   npx tsc -b server && node bench/acd-routing.mjs
// (Node 20 cannot run the TypeScript sources directly.)
//
// Two kinds of decision are measured, as the ACD makes them:
//   agent-free:  an agent finishes a call; which of the 10,000 waiting calls,
//                over its queues by penalty, priority and waiting time, does it get?
//   arrival:     a call arrives; which of the ready agents of its queue (the
//                strategy ranks them) is offered it?

import { performance } from 'node:perf_hooks';
import { Router } from '../server/dist/services/acd/router.js';
import { Agent } from '../server/dist/services/acd/agent-state.js';
import { queueWithDefaults } from '../server/dist/services/acd/model.js';
import { seededRandom } from '../server/dist/services/acd/random.js';

const AGENTS = 1_000;
const WAITING = 10_000;
const DECISIONS = 50_000;
const SKILLS = ['de', 'fr', 'billing', 'network', 'sales', 'vip'];
const STRATEGIES = ['ring-all', 'longest-idle', 'round-robin', 'fewest-calls', 'least-talk-time', 'random', 'linear', 'skills-based'];
const QUEUES = STRATEGIES.flatMap((s, i) => [`${s}-${i}a`, `${s}-${i}b`]).map((name, i) => ({ name, strategy: STRATEGIES[Math.floor(i / 2)] }));

const rnd = seededRandom(2026);
const pick = (list) => list[Math.floor(rnd() * list.length)];
let now = Date.UTC(2026, 0, 5, 9, 0, 0);
const clock = { now: () => now, setTimer: () => ({ cancel() {} }) };

const router = new Router({ clock, random: seededRandom(7) });
for (const q of QUEUES) {
  router.setQueue(queueWithDefaults({
    name: q.name,
    strategy: q.strategy,
    escalation: q.strategy === 'skills-based' ? [{ afterSeconds: 30, skills: Object.fromEntries(SKILLS.map((s) => [s, 1])) }] : [],
  }));
}

const agents = [];
for (let i = 0; i < AGENTS; i++) {
  const skills = {};
  for (const s of SKILLS) if (rnd() < 0.5) skills[s] = 1 + Math.floor(rnd() * 10);
  const queues = [];
  while (queues.length < 3) {
    const q = pick(QUEUES).name;
    if (!queues.some((m) => m.queue === q)) queues.push({ queue: q, penalty: queues.length });
  }
  const agent = new Agent({ login: `agent${i}`, name: `Agent ${i}`, device: { type: 'softphone' }, skills, queues }, now);
  agent.logIn(true, 'login', now - Math.floor(rnd() * 600_000));
  agents.push(agent);
  router.setAgent(agent);
}

let callSeq = 0;
function newCall() {
  const id = `call${++callSeq}`;
  const requiredSkills = {};
  if (rnd() < 0.4) requiredSkills[pick(SKILLS)] = 1 + Math.floor(rnd() * 5);
  const enteredAt = now - Math.floor(rnd() * 300_000);
  return {
    id, kind: rnd() < 0.05 ? 'callback' : 'call', queue: pick(QUEUES).name, priority: rnd() < 0.1 ? 1 + Math.floor(rnd() * 3) : 0,
    enteredAt, queueEnteredAt: enteredAt, requiredSkills, callId: id, callerNumber: `+3120${callSeq}`,
    customerId: undefined, customerName: undefined, segment: undefined,
  };
}

/** Put an agent on a call (taking it out of the ready pool). */
function busy(agent, callId) {
  agent.offer(callId, now);
  agent.answered(now);
  router.agentChanged(agent.login);
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function report(label, samples, decided) {
  const sorted = Float64Array.from(samples).sort();
  const worst = samples.indexOf(sorted[sorted.length - 1]);
  const total = samples.reduce((a, b) => a + b, 0);
  const fmt = (ms) => `${(ms * 1000).toFixed(1)} µs`;
  console.log(
    `${label.padEnd(11)} ${String(samples.length).padStart(6)} decisions (${decided} offers)  p50 ${fmt(percentile(sorted, 50))}  ` +
    `p99 ${fmt(percentile(sorted, 99))}  max ${fmt(sorted[sorted.length - 1])} (decision #${worst + 1})  ${Math.round(samples.length / (total / 1000)).toLocaleString('en')} decisions/s`,
  );
}

// ---- agent-free: everyone busy, 10,000 calls waiting; agents free up one at a time ----
for (const [i, agent] of agents.entries()) busy(agent, `warm${i}`);
for (let i = 0; i < WAITING; i++) router.enqueue(newCall());
let waiting = WAITING;

const freeSamples = [];
let freeOffers = 0;
for (let i = 0; i < DECISIONS; i++) {
  now += 7;
  const agent = agents[Math.floor(rnd() * AGENTS)];
  if (agent.state !== 'on-call') continue;
  agent.callEnded(0, now);
  router.agentChanged(agent.login);
  const t0 = performance.now();
  const d = router.decideForAgent(agent.login);
  freeSamples.push(performance.now() - t0);
  if (d) {
    freeOffers++;
    router.remove(d.entry.id);
    busy(agent, d.entry.callId);
    waiting--;
  }
  // Keep 10,000 calls waiting.
  while (waiting < WAITING) {
    router.enqueue(newCall());
    waiting++;
  }
}

// ---- arrival: half the agents ready; calls arrive one by one ----
for (const agent of agents) {
  if (rnd() < 0.5 && agent.state === 'on-call') {
    agent.callEnded(0, now);
    router.agentChanged(agent.login);
  }
}
const arrivalSamples = [];
let arrivalOffers = 0;
for (let i = 0; i < DECISIONS; i++) {
  now += 7;
  const call = newCall();
  call.enteredAt = call.queueEnteredAt = now;
  router.enqueue(call);
  const t0 = performance.now();
  const d = router.decideForEntry(call.id);
  arrivalSamples.push(performance.now() - t0);
  router.remove(call.id);
  if (d) {
    arrivalOffers++;
    const agent = d.agents[0];
    for (const other of d.agents.slice(1)) router.release(other.login);
    busy(agent, call.callId);
    // Another agent finishes a call, so the ready pool stays about the same size.
    for (let tries = 0; tries < 100; tries++) {
      const freed = agents[Math.floor(rnd() * AGENTS)];
      if (freed.state !== 'on-call' || freed === agent) continue;
      freed.callEnded(0, now);
      router.agentChanged(freed.login);
      break;
    }
  }
}

console.log(`ACD routing: ${AGENTS} agents, ${WAITING} waiting calls, ${QUEUES.length} queues (all 8 strategies), ${SKILLS.length} skills; node ${process.version}`);
report('agent-free', freeSamples, freeOffers);
report('arrival', arrivalSamples, arrivalOffers);
