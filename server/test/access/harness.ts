// A whole Tenor app (every built-in service) listening on a free loopback
// port, with the sessions service on a test clock, for tests that use real
// HTTP (fetch) and real WebSocket clients.

import type { Test } from 'tap';
import WebSocket from 'ws';
import { ServiceManager, type ServiceDefinition } from '../../src/core/service-manager.js';
import { build, type TenorApp } from '../../src/http/app.js';
import { liveEventsService, type LiveEventsOptions, type ServerMessage } from '../../src/services/live-events/index.js';
import { webrtcPhoneService, type SipGatewayOptions } from '../../src/services/webrtc-phone/index.js';
import { sessionsService, type AccessClock, type SessionsOptions } from '../../src/services/sessions/index.js';
import type { Role } from '../../src/store/repos/users.js';
import { queueWithDefaults } from '../../src/services/acd/model.js';
import type { TenorConfig } from '../../src/config/schema.js';
import { builtinServices } from '../../src/services/index.js';
import { uiRoot } from '@tenor/agent-ui';
import type { Logger } from '../../src/core/logger.js';
import { silentLogger, testConfig } from '../helpers.js';

/** Time that moves only when told to. */
export class TestClock implements AccessClock {
  #now = Date.parse('2026-03-02T09:00:00Z');
  now(): number {
    return this.#now;
  }
  advance(ms: number): void {
    this.#now += ms;
  }
}

export interface AccessServer {
  app: TenorApp;
  services: ServiceManager;
  clock: TestClock;
  /** http://127.0.0.1:port */
  url: string;
  /** ws://127.0.0.1:port/api/events */
  wsUrl: string;
  config: TenorConfig;
  /** Stop now (also done when the test ends). */
  stop(): Promise<void>;
}

export async function startAccessServer(
  t: Test,
  opts: {
    sessions?: Omit<SessionsOptions, 'clock'>; liveEvents?: LiveEventsOptions; webrtcPhone?: SipGatewayOptions;
    config?: TenorConfig; clock?: TestClock; trustProxy?: boolean;
    /** Services registered beside the built-in ones; one named like a built-in replaces it (a test double). */
    extraServices?: ServiceDefinition<object>[];
    /** Where the services' and the app's log lines go (default: nowhere). */
    logger?: Logger;
  } = {},
): Promise<AccessServer> {
  const config = opts.config ?? testConfig(t);
  const clock = opts.clock ?? new TestClock();
  const logger = opts.logger ?? silentLogger;
  const services = new ServiceManager({ logger });
  const extras = opts.extraServices ?? [];
  // An extra service named like a built-in one takes its place (a test double of it).
  for (const def of builtinServices(config).filter((d) => !extras.some((extra) => extra.name === d.name))) {
    services.register(
      def.name === 'sessions' ? sessionsService({ ...opts.sessions, clock })
        : def.name === 'liveEvents' && opts.liveEvents ? liveEventsService(opts.liveEvents)
          : def.name === 'webrtcPhone' && opts.webrtcPhone ? webrtcPhoneService(opts.webrtcPhone)
            : def,
    );
  }
  for (const def of extras) services.register(def);
  await services.startAll();
  const app = await build({ services, logger, version: '9.9.9', baseDir: config.baseDir, uiRoot,
    ...(opts.trustProxy !== undefined ? { trustProxy: opts.trustProxy } : {}),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await app.close();
    await services.stopAll();
  };
  t.teardown(stop);
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { app, services, clock, config, stop, url: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}/api/events` };
}

export function basic(username: string, password: string): string {
  return 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64');
}

/** Users for each role (and an ACD agent per agent user, in queue `sales`). */
export async function seedPeople(server: AccessServer): Promise<void> {
  const users = server.services.get('users');
  const people: [string, Role][] = [['ann', 'agent'], ['bob', 'agent'], ['sue', 'supervisor'], ['ada', 'admin']];
  for (const [username, role] of people) await users.create({ username, password: `${username}-password`, role });
  const acd = server.services.get('acd');
  await acd.saveQueue(queueWithDefaults({ name: 'sales' }));
  await acd.saveQueue(queueWithDefaults({ name: 'support' }));
  for (const login of ['ann', 'bob']) {
    await acd.saveAgent({ login, name: login.toUpperCase(), device: { type: 'softphone' }, skills: {}, queues: [{ queue: login === 'ann' ? 'sales' : 'support', penalty: 0 }] });
  }
}

export interface LoggedIn {
  cookie: string;
  csrf: string;
}

export async function login(server: AccessServer, username: string, password = `${username}-password`): Promise<LoggedIn> {
  const res = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (res.status !== 200) throw new Error(`login of ${username} answered ${res.status}: ${await res.text()}`);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const body = (await res.json()) as { csrfToken: string };
  return { cookie: setCookie.split(';')[0] ?? '', csrf: body.csrfToken };
}

/** A WebSocket client that records every message; closed when the test ends. */
export class LiveSocket {
  readonly messages: ServerMessage[] = [];
  readonly ws: WebSocket;
  closeCode: number | undefined;
  /** The HTTP status of a refused upgrade. */
  refusedWith: number | undefined;
  readonly #waiters = new Set<() => void>();

  constructor(t: Test, url: string, headers: Record<string, string>, options: { autoPong?: boolean } = {}) {
    this.ws = new WebSocket(url, { headers, ...options });
    this.ws.on('message', (data) => {
      this.messages.push(JSON.parse(data.toString()) as ServerMessage);
      this.#wake();
    });
    this.ws.on('unexpected-response', (_req, res) => {
      this.refusedWith = res.statusCode;
      res.resume();
      this.#wake();
    });
    this.ws.on('close', (code) => {
      this.closeCode = code;
      this.#wake();
    });
    this.ws.on('error', () => this.#wake());
    t.teardown(() => this.ws.terminate());
  }

  /** Resolves once `condition` holds (re-checked on every message, close or refusal), or rejects after `ms`. */
  until(condition: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages).slice(0, 2000)}`));
      }, ms);
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
    });
  }

  snapshots(): Extract<ServerMessage, { type: 'snapshot' }>[] {
    return this.messages.filter((m): m is Extract<ServerMessage, { type: 'snapshot' }> => m.type === 'snapshot');
  }

  events(): Extract<ServerMessage, { type: 'events' }>['events'] {
    return this.messages.flatMap((m) => (m.type === 'events' ? m.events : []));
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }
}
