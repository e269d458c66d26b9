// The whole Tenor server in process, configured by a site file (queues, agents,
// a trunk, entry numbers straight to queues), with real SIP peers around it:
// SIPp callers, baresip agent softphones registered to Tenor, and a SIPp "home
// phone network" behind the trunk. Every wait is event-driven with a generous
// bound; every process started here is stopped when the test ends.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import {
  Baresip, describeSipp, freeUdpRange, freeUdpTcpPort, startSipp,
  type SippOptions, type SippProcess, type SippResult,
} from '../../../telephony/test/peers/index.js';
import type { TenorEvent, TenorEventName, TenorEvents } from '../../src/core/events.js';
import type { AcdService } from '../../src/services/acd/index.js';
import type { CrmService } from '../../src/services/crm/index.js';
import type { TenorApp } from '../../src/http/app.js';
import type { ServiceDefinition, ServiceManager } from '../../src/core/service-manager.js';
import '../../src/services/ingress.js';
import { ADMIN_AUTH, startTestApp, tempDir, testConfig } from '../helpers.js';
import { deviceSecret, withDeviceSecrets } from '../sip-devices.js';

export const SCENARIOS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'scenarios');

/** Collects every event published on the bus, so a wait never misses one that came first. */
export class EventLog {
  readonly events: TenorEvent[] = [];
  readonly #waiters = new Set<(e: TenorEvent) => void>();

  push(e: TenorEvent): void {
    this.events.push(e);
    for (const w of [...this.#waiters]) w(e);
  }

  of<K extends TenorEventName>(type: K, match: (p: TenorEvents[K]) => boolean = () => true): TenorEvent<K>[] {
    return this.events.filter((e): e is TenorEvent<K> => e.type === type && match(e.payload as TenorEvents[K]));
  }

  /** Resolves once `n` events of `type` (matching) have been published; returns them all. */
  async atLeast<K extends TenorEventName>(type: K, n: number, timeoutMs = 30_000, match: (p: TenorEvents[K]) => boolean = () => true): Promise<TenorEvent<K>[]> {
    await this.wait(type, () => this.of(type, match).length >= n, timeoutMs);
    return this.of(type, match);
  }

  /** The first event of `type` (from index `from`) that matches; waits for it up to timeoutMs. */
  wait<K extends TenorEventName>(type: K, match: (p: TenorEvents[K]) => boolean = () => true, timeoutMs = 30_000, from = 0): Promise<TenorEvent<K>> {
    const ok = (e: TenorEvent): e is TenorEvent<K> => e.type === type && match(e.payload as TenorEvents[K]);
    const seen = this.events.slice(from).find(ok);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = (e: TenorEvent): void => {
        if (!ok(e)) return;
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve(e);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`no ${type} event in ${timeoutMs} ms; saw ${this.events.map((e) => e.type).join(', ')}`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }
}

export interface CallView {
  id: string;
  direction: string;
  from: string;
  to: string;
  customerId: string | null;
  queue: string | null;
  agent: string | null;
  arrivedAt: string | null;
  queuedAt: string | null;
  offeredAt: string | null;
  answeredAt: string | null;
  endedAt: string | null;
  waitSeconds: number | null;
  talkSeconds: number | null;
  outcome: string | null;
  endCause: string | null;
  live: boolean;
  segments: { seq: number; kind: string; queue: string | null; agent: string | null; offeredAt: string | null; answeredAt: string | null; endedAt: string | null; outcome: string | null }[];
}

export interface Site {
  /** The HTTP API, for routes the helpers below do not cover (app.inject). */
  app: TenorApp;
  /** "127.0.0.1:port" of Tenor's SIP listener. */
  sip: string;
  rtp: { from: number; to: number };
  /** The telephony engine the calls run on (its driver's name: 'embedded', 'freeswitch'). */
  engine: string;
  acd: AcdService;
  crm: CrmService;
  /** Every service, for a test that reaches one the helpers do not cover. */
  services: ServiceManager;
  bus: EventLog;
  /** Call records through GET /api/calls (admin), after the ACD has written them. */
  calls(): Promise<CallView[]>;
  /** POST /api/agents/:login/state. */
  setState(login: string, state: 'ready' | 'break' | 'logged-out', reason?: string): Promise<{ state: string; reason: string }>;
  agentView(login: string): Promise<{ state: string; reason: string }>;
}

export interface SiteOptions {
  /** Run the calls on a FreeSWITCH Tenor starts from this build's prefix (telephony.driver: freeswitch) instead of the embedded engine. */
  freeswitchPrefix?: string;
  /** Files written beside the site file (e.g. flows/menu.yaml), by path relative to it. */
  files?: Record<string, string>;
  /** Services registered beside the built-in ones; one named like a built-in replaces it (a test double). */
  extraServices?: ServiceDefinition<object>[];
}

/** Start Tenor with this site file content (written as JSON, which is YAML); agents' softphones get device secrets. */
export async function startSite(t: Test, site: Record<string, unknown>, opts: SiteOptions = {}): Promise<Site> {
  const dir = tempDir(t, 'tenor-acd-sip-');
  const file = path.join(dir, 'site.yaml');
  for (const [name, content] of Object.entries(opts.files ?? {})) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  const engine = opts.freeswitchPrefix !== undefined ? { telephony: { driver: 'freeswitch', freeswitch: { prefix: opts.freeswitchPrefix } } } : {};
  writeFileSync(file, JSON.stringify({ ...withDeviceSecrets(site), ...engine }, null, 2));
  const sipPort = await freeUdpTcpPort();
  const rtp = await freeUdpRange(60, { belowEphemeral: true });
  const config = testConfig(t, {
    TENOR_CONFIG: file, TENOR_SIP_PORT: String(sipPort), TENOR_RTP_PORT_MIN: String(rtp.from), TENOR_RTP_PORT_MAX: String(rtp.to),
  });
  const { app, services } = await startTestApp(t, { config, ...(opts.extraServices !== undefined ? { extraServices: opts.extraServices } : {}) });
  const bus = new EventLog();
  const unsubscribe = services.get('events').subscribeAll((e) => bus.push(e));
  t.teardown(unsubscribe);
  const acd = services.get('acd');
  const json = async <T>(res: { statusCode: number; body: string }, what: string): Promise<T> => {
    if (res.statusCode !== 200) throw new Error(`${what}: ${res.statusCode} ${res.body}`);
    return JSON.parse(res.body) as T;
  };
  return {
    app,
    sip: `127.0.0.1:${sipPort}`,
    rtp,
    engine: services.get('telephony').name,
    acd,
    crm: services.get('crm'),
    services,
    bus,
    async calls() {
      await acd.flush();
      return json<CallView[]>(await app.inject({ method: 'GET', url: '/api/calls?limit=100', headers: ADMIN_AUTH }), 'GET /api/calls');
    },
    async setState(login, state, reason) {
      const res = await app.inject({ method: 'POST', url: `/api/agents/${login}/state`, headers: ADMIN_AUTH, payload: { state, ...(reason ? { reason } : {}) } });
      return json(res, `state of ${login}`);
    },
    async agentView(login) {
      return json(await app.inject({ method: 'GET', url: `/api/agents/${login}`, headers: ADMIN_AUTH }), `agent ${login}`);
    },
  };
}

/** A baresip softphone registered to Tenor as `user` with its device secret; auto-answers unless told. Stopped at teardown. */
export async function agentPhone(t: Test, site: Pick<Site, 'sip'>, user: string, opts: { autoAnswer?: boolean } = {}): Promise<Baresip> {
  const phone = await Baresip.start({ user, registrar: site.sip, password: deviceSecret(user), registerIntervalS: 300, autoAnswer: opts.autoAnswer ?? true });
  t.teardown(() => phone.stop());
  const state = await phone.waitForRegistration(15_000);
  if (state !== 'ok') throw new Error(`${user} did not register: ${phone.log().slice(-800)}`);
  return phone;
}

/** A SIPp process stopped (SIGUSR1, then SIGKILL) at teardown if still running. */
async function sipp(t: Test, opts: SippOptions): Promise<SippProcess> {
  const p = await startSipp(opts);
  t.teardown(async () => {
    await p.stop(2000);
  });
  return p;
}

/** The phone network behind the trunk: SIPp answers every call (PCMU), logs the number dialed, waits for BYE. */
export async function homeNetwork(t: Test): Promise<SippProcess> {
  const p = await sipp(t, { scenario: 'uas-answer.xml', timeoutMs: 170_000 });
  await p.ready(10_000);
  return p;
}

/**
 * A caller dialing `number` from `caller`; stays `stayMs` from the answer, then hangs up. With `digits`
 * (and a tone) they press those keys 1.5 s after the answer and stay `stayMs` from then on.
 */
export function caller(
  t: Test, site: Pick<Site, 'sip'>,
  opts: { number: string; caller: string; stayMs: number; toneFile?: string; digits?: string; localAddress?: string },
): Promise<SippProcess> {
  if (opts.digits !== undefined && !opts.toneFile) throw new Error('a caller who presses keys here also streams a tone: give toneFile');
  const scenario = opts.toneFile ? (opts.digits !== undefined ? 'uac-caller-key-tone.xml' : 'uac-caller-tone.xml') : 'uac-caller.xml';
  return sipp(t, {
    scenario: path.join(SCENARIOS, scenario),
    remote: site.sip, service: opts.number, calls: 1, pauseMs: opts.stayMs,
    vars: { caller: opts.caller, ...(opts.digits !== undefined ? { digits: opts.digits } : {}) },
    ...(opts.localAddress !== undefined ? { localAddress: opts.localAddress } : {}),
    ...(opts.toneFile ? { files: { 'audio.ul': opts.toneFile } } : {}),
    timeoutMs: opts.stayMs + 60_000,
  });
}

/** A caller who presses `keys` 1 s after the answer, then waits for Tenor to hang up. */
export function keyCaller(t: Test, site: Site, opts: { number: string; caller: string; keys: string }): Promise<SippProcess> {
  return sipp(t, {
    scenario: path.join(SCENARIOS, 'uac-caller-key.xml'),
    remote: site.sip, service: opts.number, calls: 1, vars: { caller: opts.caller, digits: opts.keys }, timeoutMs: 60_000,
  });
}

export async function finished(p: SippProcess, what: string, timeoutMs = 60_000): Promise<SippResult> {
  return within(p.done, timeoutMs, `${what} to finish`).then((r) => {
    if (r.code !== 0) throw new Error(`${what} failed: ${describeSipp(r)}`);
    return r;
  });
}

export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]);
}

export const ms = (iso: string | null): number => (iso === null ? NaN : Date.parse(iso));

export function sleep(msToWait: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, msToWait));
}

/** The site's common parts: a trunk to the home network and agents' passwords. */
export function trunkTo(home: SippProcess): { name: string; host: string; port: number } {
  return { name: 'home', host: '127.0.0.1', port: home.port };
}
