// One WebSocket client of /api/events: its snapshot, the bus events its role
// may see (coalesced), derived queue figures and, for an agent, their current
// contact. The gateway owns the socket's life (auth, ping, expiry, close).

import type { FastifyBaseLogger as Logger } from 'fastify';
import WebSocket from 'ws';
import type { EventBus, TenorEvent } from '../../core/events.js';
import type { ServiceManager } from '../../core/service-manager.js';
import { seesEverything, type AuthUser } from '../../http/auth.js';
import { Coalescer } from './coalescer.js';
import { buildSnapshot, currentContact, queueFigures } from './snapshot.js';
import { LiveCloseCodes, type ClientMessage, type LiveEvent, type ServerMessage } from './types.js';
import { OwnCalls, eventForAgent, queuesTouched } from './visibility.js';

export interface LiveClientOptions {
  ws: WebSocket;
  user: AuthUser;
  services: ServiceManager;
  bus: EventBus;
  log: Logger;
  windowMs: number;
  maxPending: number;
  /** Beyond this many bytes waiting in the socket's send buffer the client is dropped (it reconnects for a snapshot). */
  maxBufferedBytes: number;
}

export class LiveClient {
  readonly user: AuthUser;
  /** False after a ping until its pong: a client silent for a whole ping interval is dropped. */
  alive = true;
  readonly #o: LiveClientOptions;
  readonly #coalescer: Coalescer<LiveEvent>;
  readonly #own = new OwnCalls();
  #unsubscribe: (() => void) | undefined;
  #contactSeq = 0;
  #closed = false;

  constructor(opts: LiveClientOptions) {
    this.#o = opts;
    this.user = opts.user;
    this.#coalescer = new Coalescer<LiveEvent>({
      windowMs: opts.windowMs,
      maxPending: opts.maxPending,
      send: (events) => this.#send({ type: 'events', events }),
      onOverflow: () => void this.sendSnapshot(),
    });
  }

  /** Subscribe first, then send the snapshot: what happens meanwhile is held and follows it. */
  start(): void {
    const { ws } = this.#o;
    ws.on('pong', () => (this.alive = true));
    ws.on('message', (data, isBinary) => this.#received(isBinary ? undefined : data.toString()));
    ws.on('close', () => this.#dispose());
    ws.on('error', (err) => this.#o.log.debug({ err }, 'live events socket error'));
    this.#unsubscribe = this.#o.bus.subscribeAll((event) => this.#onBusEvent(event));
    void this.sendSnapshot();
  }

  /** The event bus was replaced (the client's handle reaches the new one): listen to it instead. */
  busReplaced(): void {
    if (this.#closed) return;
    this.#unsubscribe?.();
    this.#unsubscribe = this.#o.bus.subscribeAll((event) => this.#onBusEvent(event));
  }

  async sendSnapshot(): Promise<void> {
    this.#coalescer.pause();
    this.#coalescer.clear();
    try {
      const data = await buildSnapshot(this.#o.services, this.user, this.#o.log);
      this.#send({ type: 'snapshot', data });
    } catch (err) {
      this.#o.log.error({ err, username: this.user.username }, 'live snapshot failed');
      this.close(1011, 'snapshot failed');
      return;
    }
    this.#coalescer.resume();
  }

  ping(): void {
    this.alive = false;
    this.#o.ws.ping();
  }

  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#dispose();
    this.#o.ws.close(code, reason);
  }

  terminate(): void {
    this.#dispose();
    this.#o.ws.terminate();
  }

  #dispose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe?.();
    this.#coalescer.close();
  }

  #onBusEvent(event: TenorEvent): void {
    const everything = seesEverything(this.user);
    const login = this.user.agent;
    let shown: LiveEvent | undefined;
    if (everything) shown = event as LiveEvent;
    else if (login !== undefined) shown = eventForAgent(event, login, this.#own);
    const stateOf = event.type === 'agent_state_changed' ? (event as TenorEvent<'agent_state_changed'>).payload.login : undefined;
    if (shown) this.#coalescer.push(shown, stateOf !== undefined ? `agent:${stateOf}` : undefined);
    if (!everything && login === undefined) return;
    this.#pushQueueFigures(event, everything);
    // Hold and consult change the agent's current contact without changing their state.
    const controlOf = event.type === 'call_control' ? (event as TenorEvent<'call_control'>).payload.agent : undefined;
    if (!everything && login !== undefined && (stateOf === login || controlOf === login)) void this.#pushCurrentContact(login);
  }

  #pushQueueFigures(event: TenorEvent, everything: boolean): void {
    if (!this.#o.services.has('acd')) return;
    const acd = this.#o.services.get('acd');
    const touched = queuesTouched(event, (l) => acd.agent(l)?.profile.queues.map((q) => q.queue) ?? []);
    if (touched.length === 0) return;
    const mine = everything ? undefined : new Set(acd.agent(this.user.agent ?? '')?.profile.queues.map((q) => q.queue) ?? []);
    for (const queue of touched) {
      if (mine && !mine.has(queue)) continue;
      const payload = queueFigures(acd, queue);
      if (payload) this.#coalescer.push({ type: 'queue_figures', at: event.at, payload }, `queue:${queue}`);
    }
  }

  async #pushCurrentContact(login: string): Promise<void> {
    const seq = ++this.#contactSeq;
    try {
      const current = await currentContact(this.#o.services, login, this.#o.log);
      // A later state change may have resolved first: only the newest answer counts.
      if (seq === this.#contactSeq) this.#coalescer.push({ type: 'current_contact', at: new Date().toISOString(), payload: { current } }, 'current');
    } catch (err) {
      this.#o.log.warn({ err, agent: login }, 'current contact left out of the live events');
    }
  }

  #received(text: string | undefined): void {
    let message: ClientMessage | undefined;
    try {
      const parsed: unknown = text === undefined ? undefined : JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null && ((parsed as { type?: unknown }).type === 'ping' || (parsed as { type?: unknown }).type === 'resync')) {
        message = parsed as ClientMessage;
      }
    } catch {
      message = undefined;
    }
    if (!message) {
      this.#send({ type: 'error', code: 'TENOR_ERR_VALIDATION', message: 'Invalid request: send {"type":"ping"} or {"type":"resync"}' });
      return;
    }
    if (message.type === 'ping') this.#send({ type: 'pong' });
    else void this.sendSnapshot();
  }

  #send(message: ServerMessage): void {
    const { ws } = this.#o;
    if (this.#closed || ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > this.#o.maxBufferedBytes) {
      this.#o.log.warn({ username: this.user.username, buffered: ws.bufferedAmount }, 'live events client too slow; closing');
      this.close(LiveCloseCodes.tooSlow, 'too slow');
      return;
    }
    ws.send(JSON.stringify(message));
  }
}
