// The soak's randomized traffic, drawn from a seed: SIPp callers into the
// queues and the flow who stay a random time (some leave while queued or while
// an agent's phone rings, some are hung up on by the agent), agents' call
// controls through the API (hold, blind transfer, hang-up), hang-ups from the
// agents' phones, agents changing state, the flow reloaded, services replaced.
// Every action's result is counted; nothing here throws into the loop.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeSipp, startSipp, type Baresip, type SippProcess } from '../../../../telephony/test/peers/index.js';
import { Prng } from '../../../src/services/campaigns/simulator/prng.js';
import { AGENTS, FLOW_NUMBER, SALES, SUPPORT, flowSource } from './site.js';
import type { TenorServer } from './tenor-server.js';

const TEMPLATE = readFileSync(fileURLToPath(new URL('./scenarios/uac-soak-caller.xml.template', import.meta.url)), 'utf8');

/** Services replaced while calls run (telephony is not: its new engine drops every call and phone registration, server/test/service-replacement/ covers it). */
export const REPLACED_SERVICES = ['ivr', 'entryNumbers', 'crm', 'events', 'campaigns', 'ingress', 'acd'] as const;

export type ActionName =
  | 'queue caller' | 'flow caller' | 'impatient caller' | 'agent hangs up (API)' | 'agent hangs up (phone)'
  | 'hold' | 'blind transfer' | 'agent state' | 'flow reload' | 'service replaced';

/** Relative weights of the actions. */
const WEIGHTS: Record<ActionName, number> = {
  'queue caller': 30, 'flow caller': 12, 'impatient caller': 10, 'agent hangs up (API)': 10, 'agent hangs up (phone)': 8,
  hold: 8, 'blind transfer': 6, 'agent state': 10, 'flow reload': 2, 'service replaced': 2,
};

export interface Tally {
  /** Did what was asked. */
  done: number;
  /** Refused with a 4xx the situation explains (no call to hold, agent busy ...). */
  refused: number;
  /** A caller SIPp counted failed, a 5xx, or an exception. */
  failed: number;
}

export interface TrafficOptions {
  server: TenorServer;
  phones: Map<string, Baresip>;
  rng: Prng;
  /** Folder for the per-call SIPp scenarios. */
  dir: string;
  /** Most callers in flight at once. */
  maxCallers: number;
  /** Mean time between actions. */
  meanGapMs: number;
  log: (line: string) => void;
}

export class Traffic {
  readonly tallies = new Map<ActionName, Tally>();
  /** The first problems seen, for the report. */
  readonly problems: string[] = [];
  /** The first refusal of each action (status and error code), for the report. */
  readonly refusals = new Map<ActionName, string>();
  readonly #o: TrafficOptions;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #callers = new Set<SippProcess>();
  readonly #scenarios = new Map<number, string>();
  #flowVersion = 1;
  #callerNumber = 0;

  constructor(o: TrafficOptions) {
    this.#o = o;
    for (const name of Object.keys(WEIGHTS) as ActionName[]) this.tallies.set(name, { done: 0, refused: 0, failed: 0 });
  }

  get callersInFlight(): number {
    return this.#callers.size;
  }

  /** Runs actions until `untilMs` (a Date.now() instant), then waits for those in flight. */
  async run(untilMs: number): Promise<void> {
    while (Date.now() < untilMs) {
      await sleep(Math.min(untilMs - Date.now(), -Math.log(1 - this.#o.rng.next()) * this.#o.meanGapMs));
      if (Date.now() >= untilMs) break;
      this.#start(this.#pick());
    }
    await this.drain();
  }

  /** Waits for every action and caller in flight (callers stay at most 15 s after their answer). */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  #pick(): ActionName {
    const entries = Object.entries(WEIGHTS) as [ActionName, number][];
    const total = entries.reduce((s, [, w]) => s + w, 0);
    let x = this.#o.rng.next() * total;
    for (const [name, w] of entries) if ((x -= w) < 0) return name;
    return 'queue caller';
  }

  #start(name: ActionName): void {
    const p: Promise<void> = this.#act(name)
      .then((outcome) => {
        this.#tally(name)[outcome]++;
      })
      .catch((err: unknown) => this.#fail(name, String(err)))
      .finally(() => this.#inFlight.delete(p));
    this.#inFlight.add(p);
  }

  #tally(name: ActionName): Tally {
    const t = this.tallies.get(name);
    if (!t) throw new Error(`no tally for ${name}`);
    return t;
  }

  #fail(name: ActionName, why: string): void {
    this.#tally(name).failed++;
    if (this.problems.length < 20) this.problems.push(`${name}: ${why}`);
    this.#o.log(`  ! ${name}: ${why.slice(0, 400)}`);
  }

  #between(lo: number, hi: number): number {
    return lo + Math.floor(this.#o.rng.next() * (hi - lo + 1));
  }

  #oneOf<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.#o.rng.next() * items.length)];
    if (item === undefined) throw new Error('empty choice');
    return item;
  }

  async #act(name: ActionName): Promise<keyof Tally> {
    const { server } = this.#o;
    switch (name) {
      case 'queue caller':
        return this.#caller(this.#oneOf([SALES, SUPPORT]), this.#between(2000, 12_000));
      case 'flow caller':
        return this.#caller(FLOW_NUMBER, this.#between(2000, 12_000));
      case 'impatient caller':
        // Leaves within 2 s of the answer: while queued, or while an agent's phone rings.
        return this.#caller(this.#oneOf([SALES, SUPPORT, FLOW_NUMBER]), this.#between(200, 2000));
      case 'agent hangs up (API)': {
        const login = await this.#agentOnCall();
        if (login === undefined) return 'refused';
        return this.#status(name, await server.api('POST', `/api/agents/${login}/call/hangup`));
      }
      case 'agent hangs up (phone)': {
        const login = await this.#agentOnCall();
        const phone = login === undefined ? undefined : this.#o.phones.get(login);
        if (phone === undefined) return 'refused';
        const r = await phone.hangup();
        return r.ok ? 'done' : 'refused';
      }
      case 'hold': {
        const login = await this.#agentOnCall();
        if (login === undefined) return 'refused';
        const held = this.#status(name, await server.api('POST', `/api/agents/${login}/call/hold`));
        if (held !== 'done') return held;
        await sleep(this.#between(300, 2500));
        return this.#status(name, await server.api('POST', `/api/agents/${login}/call/unhold`));
      }
      case 'blind transfer': {
        const login = await this.#agentOnCall((l) => l !== 'eve');
        if (login === undefined) return 'refused';
        return this.#status(name, await server.api('POST', `/api/agents/${login}/call/transfer`, { target: { type: 'queue', queue: this.#oneOf(['sales', 'support']) } }));
      }
      case 'agent state': {
        // The other of ready and break; an agent offered, on a call or in wrap-up is refused (409).
        const login = this.#oneOf(AGENTS).login;
        const view = await server.api('GET', `/api/agents/${login}`);
        const now = view.status === 200 ? (JSON.parse(view.body) as { state: string }).state : 'unknown';
        const state = now === 'ready' ? 'break' : now === 'break' ? 'ready' : this.#oneOf(['ready', 'break']);
        return this.#status(name, await server.api('POST', `/api/agents/${login}/state`, { state, ...(state === 'break' ? { reason: 'training' } : {}) }));
      }
      case 'flow reload':
        this.#flowVersion++;
        return this.#status(name, await server.api('PUT', '/api/flows/main', flowSource(this.#flowVersion), 'application/yaml'));
      case 'service replaced': {
        const service = this.#oneOf(REPLACED_SERVICES);
        this.#o.log(`  replacing ${service}`);
        // The old version drains first: calls in progress end, up to the 30 s drain timeout (docs/services.md).
        return this.#status(name, await server.api('POST', `/api/services/${service}/replace`, undefined, undefined, 120_000), service);
      }
    }
  }

  /** done for 2xx, refused for a 4xx (the situation changed under us), failed (and noted) otherwise. */
  #status(name: ActionName, res: { status: number; body: string }, what = ''): keyof Tally {
    if (res.status >= 200 && res.status < 300) return 'done';
    if (res.status >= 400 && res.status < 500) {
      if (!this.refusals.has(name)) this.refusals.set(name, `${res.status} ${res.body.slice(0, 200)}`);
      return 'refused';
    }
    this.#fail(name, `${what} ${res.status} ${res.body.slice(0, 300)}`);
    return 'refused';
  }

  /** A random agent with a connected call (GET /api/agents/:login/call is 404 without one). */
  async #agentOnCall(filter: (login: string) => boolean = () => true): Promise<string | undefined> {
    const logins = AGENTS.map((a) => a.login).filter(filter);
    const start = Math.floor(this.#o.rng.next() * logins.length);
    for (let i = 0; i < logins.length; i++) {
      const login = logins[(start + i) % logins.length];
      if (login === undefined) continue;
      const res = await this.#o.server.api('GET', `/api/agents/${login}/call`);
      if (res.status === 200) return login;
    }
    return undefined;
  }

  /** A SIPp caller who stays up to `stayMs` after the answer (or until Tenor hangs up). */
  async #caller(number: string, stayMs: number): Promise<keyof Tally> {
    if (this.#callers.size >= this.#o.maxCallers) return 'refused';
    const stay = Math.round(stayMs / 100) * 100;
    let scenario = this.#scenarios.get(stay);
    if (scenario === undefined) {
      scenario = path.join(this.#o.dir, `uac-soak-caller-${stay}.xml`);
      writeFileSync(scenario, TEMPLATE.replaceAll('STAY_MS', String(stay)));
      this.#scenarios.set(stay, scenario);
    }
    const from = `+3120${String(1_000_000 + this.#callerNumber++).slice(1)}`;
    const p = await startSipp({ scenario, remote: this.#o.server.sip, service: number, calls: 1, vars: { caller: from }, timeoutMs: stay + 90_000 });
    this.#callers.add(p);
    try {
      const r = await p.done;
      if (r.code === 0) return 'done';
      throw new Error(`caller ${from} → ${number} (stay ${stay} ms): ${describeSipp(r)}`);
    } finally {
      this.#callers.delete(p);
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
