// Tenor in process with real SIP around it, for the call controls: SIPp
// customers who stay until Tenor hangs up, baresip agents, and the REST call
// controls called as the agent themself (their own login and password).

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { Baresip, freeUdpRange, freeUdpTcpPort, makeToneUlaw, startSipp, type SippProcess } from '../../../telephony/test/peers/index.js';
import type { TenorApp } from '../../src/http/app.js';
import type { AcdService } from '../../src/services/acd/index.js';
import '../../src/services/ingress.js';
import { EventLog, SCENARIOS as ACD_SCENARIOS, type CallView } from '../acd-sip/site.js';
import { ADMIN_AUTH, startTestApp, tempDir, testConfig } from '../helpers.js';
import { deviceSecret, withDeviceSecrets } from '../sip-devices.js';

const SCENARIOS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'scenarios');

export interface ControlSite {
  sip: string;
  rtp: { from: number; to: number };
  app: TenorApp;
  acd: AcdService;
  bus: EventLog;
  /**
   * A call control: POST (or GET) /api/agents/:login/call{path}, as the agent
   * themself unless `as` names another user (`admin`, or another agent); returns the status and the parsed body.
   */
  control(login: string, method: 'GET' | 'POST', pathAfterCall: string, body?: Record<string, unknown>, as?: string): Promise<{ status: number; body: unknown }>;
  /** One call record through GET /api/calls/:id (admin), once written. */
  record(id: string): Promise<Omit<CallView, 'segments'> & { holdSeconds: number | null; segments: (CallView['segments'][number] & { detail: unknown })[] }>;
  setState(login: string, state: 'ready' | 'break'): Promise<void>;
}

/** Start Tenor with this site file; agents' passwords are taken from it for their REST calls. */
export async function startControlSite(t: Test, site: { agents: { login: string; password: string; [field: string]: unknown }[]; [field: string]: unknown }): Promise<ControlSite> {
  const dir = tempDir(t, 'tenor-call-control-');
  const file = path.join(dir, 'site.yaml');
  writeFileSync(file, JSON.stringify(withDeviceSecrets(site), null, 2));
  const sipPort = await freeUdpTcpPort();
  const rtp = await freeUdpRange(60, { belowEphemeral: true });
  const config = testConfig(t, { TENOR_CONFIG: file, TENOR_SIP_PORT: String(sipPort), TENOR_RTP_PORT_MIN: String(rtp.from), TENOR_RTP_PORT_MAX: String(rtp.to) });
  const { app, services } = await startTestApp(t, { config });
  const bus = new EventLog();
  t.teardown(services.get('events').subscribeAll((e) => bus.push(e)));
  const acd = services.get('acd');
  const passwords = new Map(site.agents.map((a) => [a.login, a.password]));
  const auth = (login: string) => ({ authorization: 'Basic ' + Buffer.from(`${login}:${passwords.get(login) ?? ''}`).toString('base64') });
  return {
    sip: `127.0.0.1:${sipPort}`, rtp, app, acd, bus,
    async control(login, method, pathAfterCall, body, as) {
      const headers = as === 'admin' ? ADMIN_AUTH : auth(as ?? login);
      const res = await app.inject({ method, url: `/api/agents/${login}/call${pathAfterCall}`, headers, ...(body ? { payload: body } : {}) });
      return { status: res.statusCode, body: res.body === '' ? null : (JSON.parse(res.body) as unknown) };
    },
    async record(id) {
      await acd.flush();
      const res = await app.inject({ method: 'GET', url: `/api/calls/${encodeURIComponent(id)}`, headers: ADMIN_AUTH });
      if (res.statusCode !== 200) throw new Error(`GET /api/calls/${id}: ${res.statusCode} ${res.body}`);
      return JSON.parse(res.body) as Awaited<ReturnType<ControlSite['record']>>;
    },
    async setState(login, state) {
      const res = await app.inject({ method: 'POST', url: `/api/agents/${login}/state`, headers: auth(login), payload: { state, ...(state === 'break' ? { reason: 'coffee' } : {}) } });
      if (res.statusCode !== 200) throw new Error(`state of ${login}: ${res.statusCode} ${res.body}`);
    },
  };
}

/**
 * A customer dialing `number`, streaming a tone: stays until Tenor hangs up
 * (90 s at most), or with `stayMs` hangs up that long after the answer.
 * Stopped at teardown.
 */
export async function customer(t: Test, s: ControlSite, opts: { number: string; caller: string; stayMs?: number }): Promise<SippProcess> {
  const tone = await makeToneUlaw(path.join(tempDir(t, 'tenor-tone-'), 'caller.ul'), { seconds: 1, frequency: 700 });
  const p = await startSipp({
    scenario: opts.stayMs === undefined ? path.join(SCENARIOS, 'uac-caller-until-bye.xml') : path.join(ACD_SCENARIOS, 'uac-caller-tone.xml'),
    remote: s.sip, service: opts.number, calls: 1, vars: { caller: opts.caller }, files: { 'audio.ul': tone }, timeoutMs: 100_000,
    ...(opts.stayMs !== undefined ? { pauseMs: opts.stayMs } : {}),
  });
  t.teardown(async () => {
    await p.stop(2000);
  });
  return p;
}

/** A baresip softphone registered to Tenor as `login` (device secret), auto-answering, the agent logged in and ready. Stopped at teardown. */
export async function readyAgent(t: Test, s: ControlSite, login: string): Promise<Baresip> {
  const phone = await Baresip.start({ user: login, registrar: s.sip, password: deviceSecret(login), registerIntervalS: 300, autoAnswer: true });
  t.teardown(() => phone.stop());
  const state = await phone.waitForRegistration(15_000);
  if (state !== 'ok') throw new Error(`${login} did not register: ${phone.log().slice(-800)}`);
  await s.setState(login, 'ready');
  return phone;
}
