// Tenor in process with a test clock for the campaigns (calling windows are
// checked at a fixed instant), a trunk to a SIPp "public network" that
// answers by number, and baresip agents registered to Tenor.

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { Baresip, freeUdpRange, freeUdpTcpPort, startSipp, toUlaw, type SippProcess } from '../../../telephony/test/peers/index.js';
import { corpusGreeting } from '../../../telephony/test/peers/greeting-callee.js';
import { ServiceManager } from '../../src/core/service-manager.js';
import { build, type TenorApp } from '../../src/http/app.js';
import { builtinServices } from '../../src/services/index.js';
import { campaignsService } from '../../src/services/campaigns/service.js';
import { Prng } from '../../src/services/campaigns/simulator/prng.js';
import type { CampaignsService } from '../../src/services/campaigns/campaigns.js';
import type { AcdService } from '../../src/services/acd/index.js';
import { systemClock, type Clock } from '../../src/services/acd/clock.js';
import { EventLog } from '../acd-sip/site.js';
import { embeddedEngine, type TestEngine } from '../engines/engine.js';
import { silentLogger, tempDir, testConfig } from '../helpers.js';
import { deviceSecret, withDeviceSecrets } from '../sip-devices.js';

export const SCENARIOS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'scenarios');

/** Wednesday 2026-03-04 10:00 UTC: 11:00 in Berlin (inside 09–21), 05:00 in New York (outside). */
export const TEST_INSTANT = Date.parse('2026-03-04T10:00:00Z');

/** Real timers, but "now" starts at TEST_INSTANT. */
export function testClock(start = TEST_INSTANT): Clock {
  const offset = start - Date.now();
  return { now: () => Date.now() + offset, setTimer: systemClock.setTimer };
}

export interface CampaignSite {
  sip: string;
  app: TenorApp;
  services: ServiceManager;
  campaigns: CampaignsService;
  acd: AcdService;
  bus: EventLog;
}

/** The public network: SIPp answering by number (scenarios/uas-public-network.xml), ringing `ringMs`. */
export async function publicNetwork(t: Test, ringMs = 500): Promise<SippProcess> {
  const dir = tempDir(t, 'tenor-pstn-');
  const human = await toUlaw(corpusGreeting('human-en-hello-1'), path.join(dir, 'human.ul'));
  const machine = await toUlaw(corpusGreeting('machine-en-reached-1'), path.join(dir, 'machine.ul'));
  const p = await startSipp({
    scenario: path.join(SCENARIOS, 'uas-public-network.xml'), files: { 'human.ul': human, 'machine.ul': machine }, pauseMs: ringMs, timeoutMs: 120_000,
  });
  t.teardown(async () => {
    await p.stop(2000);
  });
  await p.ready(10_000);
  return p;
}

export async function startCampaignSite(t: Test, site: Record<string, unknown>, clock: Clock = testClock()): Promise<CampaignSite> {
  const dir = tempDir(t, 'tenor-campaign-sip-');
  const file = path.join(dir, 'site.yaml');
  writeFileSync(file, JSON.stringify(withDeviceSecrets(site), null, 2));
  const sipPort = await freeUdpTcpPort();
  const rtp = await freeUdpRange(60, { belowEphemeral: true });
  const config = testConfig(t, { TENOR_CONFIG: file, TENOR_SIP_PORT: String(sipPort), TENOR_RTP_PORT_MIN: String(rtp.from), TENOR_RTP_PORT_MAX: String(rtp.to) });
  const services = new ServiceManager({ logger: silentLogger });
  for (const def of builtinServices(config)) if (def.name !== 'campaigns') services.register(def);
  services.register(campaignsService(config, { clock }));
  await services.startAll();
  const app = await build({ services, logger: silentLogger, version: '9.9.9', baseDir: config.baseDir });
  const bus = new EventLog();
  const unsubscribe = services.get('events').subscribeAll((e) => bus.push(e));
  t.teardown(async () => {
    unsubscribe();
    await app.close();
    await services.stopAll();
  });
  return { sip: `127.0.0.1:${sipPort}`, app, services, campaigns: services.get('campaigns'), acd: services.get('acd'), bus };
}

/** A baresip agent registered to Tenor with its device secret, auto-answering, logged in and ready. */
export async function readyAgent(t: Test, s: CampaignSite, login: string): Promise<Baresip> {
  const phone = await Baresip.start({ user: login, registrar: s.sip, password: deviceSecret(login), registerIntervalS: 300, autoAnswer: true });
  t.teardown(() => phone.stop());
  const state = await phone.waitForRegistration(15_000);
  if (state !== 'ok') throw new Error(`${login} did not register: ${phone.log().slice(-800)}`);
  if (!s.acd.agent(login)?.loggedIn) await s.acd.login(login);
  else s.acd.ready(login);
  return phone;
}

export type Behaviour = 'human' | 'machine' | 'busy' | 'silent';
const BEHAVIOUR_DIGIT: Record<Behaviour, number> = { human: 1, machine: 2, busy: 3, silent: 5 };

/** Numbers the public network answers by their digit B: +49305550BNN (n < 10 rings only the base time). */
export const number = (behaviour: Behaviour, n: number): string => `+49305550${BEHAVIOUR_DIGIT[behaviour]}${String(n).padStart(2, '0')}`;

/**
 * `count` numbers whose behaviour (by the given probabilities) and extra ring
 * time (0 to 2.25 s, digit D of +49305550BDN) are drawn from `seed`: the same
 * seed gives the same network every run.
 */
export function seededNumbers(seed: number, count: number, odds: Partial<Record<Behaviour, number>>): { number: string; behaviour: Behaviour; extraRingMs: number }[] {
  const rng = new Prng(seed);
  const kinds = Object.entries(odds) as [Behaviour, number][];
  const total = kinds.reduce((sum, [, p]) => sum + p, 0);
  return Array.from({ length: count }, (_, i) => {
    let pick = rng.next() * total;
    const behaviour = kinds.find(([, p]) => (pick -= p) < 0)?.[0] ?? kinds[kinds.length - 1]![0];
    const ringDigit = Math.floor(rng.next() * 10);
    return { number: `+49305550${BEHAVIOUR_DIGIT[behaviour]}${ringDigit}${i % 10}`, behaviour, extraRingMs: ringDigit * 250 };
  });
}

/** INVITE-NUMBER lines SIPp logged, as numbers. */
export function invitedNumbers(logs: string): string[] {
  return [...logs.matchAll(/INVITE-NUMBER (\S+)/g)].map((m) => m[1] ?? '');
}

/**
 * The usual campaign site: the public network behind trunk `pstn` ringing
 * `ringMs`, queue `outbound`, and agent ann on a baresip phone, ready, who talks
 * `talkMs` with each person connected and hangs up; on the embedded engine
 * unless `engine` names another.
 */
export async function oneAgentCampaign(
  t: Test,
  opts: { ringMs: number; talkMs?: number; queue?: Record<string, unknown>; engine?: TestEngine },
): Promise<{ pstn: SippProcess; s: CampaignSite; phone: Baresip }> {
  const pstn = await publicNetwork(t, opts.ringMs);
  const s = await startCampaignSite(t, (opts.engine ?? embeddedEngine).site({
    trunks: [{ name: 'pstn', host: '127.0.0.1', port: pstn.port }],
    dialing: { country: 'DE' }, // the public network's numbers are in Berlin
    queues: [{ name: 'outbound', ...(opts.queue ?? { ringTimeoutSeconds: 10 }) }],
    agents: [{ login: 'ann', name: 'Ann', password: 'ann-secret-word', queues: [{ queue: 'outbound' }] }],
  }));
  const phone = await readyAgent(t, s, 'ann');
  if (opts.talkMs !== undefined) {
    const talkMs = opts.talkMs;
    s.services.get('events').subscribe('call_answered', () => {
      void new Promise((resolve) => setTimeout(resolve, talkMs)).then(() => phone.hangup()).catch(() => undefined);
    });
  }
  return { pstn, s, phone };
}

/** A campaign's identification message: `seconds` of tone standing in for "This is Example Ltd calling". */
export function identificationPrompt(t: Test, seconds: number): string {
  const file = path.join(tempDir(t, 'tenor-ident-'), 'identification.wav');
  execFileSync('sox', ['-D', '-n', '-r', '8000', '-c', '1', '-b', '16', file, 'synth', String(seconds), 'sine', '440']);
  return file;
}
