// What a crash loop's observer was told, and how it hears it: a client holding
// the live events WebSocket (/api/events) and one polling and calling the API,
// as a supervisor's screen and an integration would. Everything an event or an
// answer acknowledged is kept here, so that after a `kill -9` it can be looked
// for in the database the server left.

import WebSocket from 'ws';

export const ADMIN_HEADERS = { authorization: `Basic ${Buffer.from('admin:pw-admin-secret').toString('base64')}` };

export interface AcknowledgedState {
  login: string;
  to: string;
  /** Epoch ms the change took effect (the state log's `at`). */
  at: number;
  how: 'event' | 'api';
}

/** Everything acknowledged across all cycles; ids are the database's. */
export class Acknowledged {
  /** Call records ended (call_ended, or a closed record the API listed) → their outcome. */
  readonly records = new Map<string, string>();
  /** Callback requests (callback_requested) → queue and when they were heard of. */
  readonly callbacks = new Map<string, { queue: string; heardAt: number }>();
  readonly states: AcknowledgedState[] = [];
  /** Campaign attempts ended (campaign_attempt) → their outcome. */
  readonly attempts = new Map<string, string>();

  count(): number {
    return this.records.size + this.callbacks.size + this.states.length + this.attempts.size;
  }
}

interface WireEvent {
  type: string;
  payload?: Record<string, unknown>;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** One cycle's observer: connected to the server that runs now, stopped before it is killed. */
export class Observer {
  readonly #base: string;
  readonly #ack: Acknowledged;
  readonly #toggled: string;
  #ws: WebSocket | undefined;
  #timers: NodeJS.Timeout[] = [];
  #running = true;
  /** Errors other than the connection refusals of a server going away. */
  readonly problems: string[] = [];

  /** toggled: an agent the observer moves between break and ready through the API, acknowledged by its answers. */
  constructor(base: string, ack: Acknowledged, toggled: string) {
    this.#base = base;
    this.#ack = ack;
    this.#toggled = toggled;
  }

  async start(): Promise<void> {
    const ws = new WebSocket(`${this.#base.replace(/^http/, 'ws')}/api/events`, { headers: ADMIN_HEADERS });
    this.#ws = ws;
    ws.on('message', (data: Buffer) => this.#onMessage(data.toString()));
    // A server killed under the socket closes it with an error: expected here.
    ws.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`/api/events answered ${res.statusCode}`)));
      ws.once('error', reject);
    });
    this.#every(1000, () => this.#pollCalls());
    this.#every(1500, async () => {
      // From its state now (a restart keeps a break): ready ↔ break; busy with a call, left alone.
      const res = await fetch(`${this.#base}/api/agents/${this.#toggled}`, { headers: ADMIN_HEADERS });
      if (res.status !== 200) throw new Error(`GET agent answered ${res.status}`);
      const now = ((await res.json()) as { state: string }).state;
      if (now === 'ready' || now === 'break') await this.#setState(this.#toggled, now === 'ready' ? 'break' : 'ready');
    });
  }

  stop(): void {
    this.#running = false;
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    this.#ws?.terminate();
  }

  #every(ms: number, fn: () => Promise<void>): void {
    let busy = false;
    this.#timers.push(setInterval(() => {
      if (busy || !this.#running) return;
      busy = true;
      fn().catch((err: unknown) => {
        // Refused connections and resets are the kill arriving; anything else is worth a look.
        if (this.#running && !/ECONNREFUSED|ECONNRESET|fetch failed|other side closed/.test(String(err))) this.problems.push(String(err));
      }).finally(() => (busy = false));
    }, ms));
  }

  #onMessage(raw: string): void {
    const msg = JSON.parse(raw) as { type: string; events?: WireEvent[] };
    if (msg.type !== 'events' || !msg.events) return;
    const now = Date.now();
    for (const e of msg.events) {
      const p = e.payload ?? {};
      if (e.type === 'call_ended') {
        const id = text(p['recordId']);
        if (id) this.#ack.records.set(id, text(p['outcome']) ?? '');
      } else if (e.type === 'callback_requested') {
        const id = text(p['entryId']);
        if (id) this.#ack.callbacks.set(id, { queue: text(p['queue']) ?? '', heardAt: now });
      } else if (e.type === 'agent_state_changed') {
        const login = text(p['login']);
        const to = text(p['to']);
        const at = text(p['at']);
        if (login && to && at) this.#ack.states.push({ login, to, at: Date.parse(at), how: 'event' });
      } else if (e.type === 'campaign_attempt') {
        const id = text(p['attemptId']);
        if (id) this.#ack.attempts.set(id, text(p['outcome']) ?? '');
      }
    }
  }

  async #pollCalls(): Promise<void> {
    const res = await fetch(`${this.#base}/api/calls?limit=50`, { headers: ADMIN_HEADERS });
    if (res.status !== 200) throw new Error(`GET /api/calls answered ${res.status}`);
    for (const r of (await res.json()) as { id: string; live: boolean; outcome: string | null }[]) {
      if (!r.live) this.#ack.records.set(r.id, r.outcome ?? '');
    }
  }

  async #setState(login: string, state: 'break' | 'ready'): Promise<void> {
    const res = await fetch(`${this.#base}/api/agents/${login}/state`, {
      method: 'POST', headers: { ...ADMIN_HEADERS, 'content-type': 'application/json' },
      body: JSON.stringify({ state, ...(state === 'break' ? { reason: 'coffee' } : {}) }),
    });
    // 409: busy with a call; the answer acknowledged nothing.
    if (res.status === 409) return;
    if (res.status !== 200) throw new Error(`POST state ${state} answered ${res.status}: ${await res.text()}`);
    const body = (await res.json()) as { state: string; since: string };
    if (body.state === state) this.#ack.states.push({ login, to: state, at: Date.parse(body.since), how: 'api' });
  }
}
