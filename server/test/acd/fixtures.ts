// Builders for ACD domain objects in tests.

import { Agent } from '../../src/services/acd/agent-state.js';
import { queueWithDefaults, type AgentProfile, type QueueDefinition, type WaitingEntry } from '../../src/services/acd/model.js';

export function agentProfile(login: string, queues: Array<string | { queue: string; penalty: number }>, skills: Record<string, number> = {}): AgentProfile {
  return {
    login,
    name: login,
    device: { type: 'softphone' },
    skills,
    queues: queues.map((q) => (typeof q === 'string' ? { queue: q, penalty: 0 } : q)),
  };
}

/** An agent logged in and ready since `readyAt`. */
export function readyAgent(login: string, queues: Array<string | { queue: string; penalty: number }>, readyAt: number, skills: Record<string, number> = {}): Agent {
  const agent = new Agent(agentProfile(login, queues, skills), readyAt);
  agent.logIn(true, 'login', readyAt);
  return agent;
}

export function queue(name: string, fields: Partial<QueueDefinition> = {}): QueueDefinition {
  return queueWithDefaults({ name, ...fields });
}

let counter = 0;
export function waitingCall(queueName: string, enteredAt: number, fields: Partial<WaitingEntry> = {}): WaitingEntry {
  const id = fields.id ?? `c${++counter}`;
  return {
    id,
    kind: 'call',
    queue: queueName,
    priority: 0,
    enteredAt,
    queueEnteredAt: enteredAt,
    requiredSkills: {},
    callId: id,
    callerNumber: '+3120555000',
    customerId: undefined,
    customerName: undefined,
    segment: undefined,
    ...fields,
  };
}
