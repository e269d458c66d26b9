// Tenor in process with a site file, flow files beside it and the IVR on a
// chosen clock, for IVR tests over real SIP. SIPp callers come from
// scenarios/ (keys sent as RFC 4733 events). Reuses the ACD harness's event
// log and helpers; every process, socket and folder is cleaned up at teardown.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { uiRoot } from '@tenor/agent-ui';
import { freeUdpRange, freeUdpTcpPort, startSipp, type SippProcess } from '../../../telephony/test/peers/index.js';
import { ServiceManager } from '../../src/core/service-manager.js';
import { build, type TenorApp } from '../../src/http/app.js';
import { builtinServices } from '../../src/services/index.js';
import { ivrService } from '../../src/services/ivr/service.js';
import type { FlowClock } from '../../src/services/ivr/clock.js';
import type { Logger } from '../../src/core/logger.js';
import { ADMIN_AUTH, silentLogger, tempDir, testConfig } from '../helpers.js';
import { EventLog } from '../acd-sip/site.js';

export const SCENARIOS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'scenarios');

export interface IvrSite {
  sip: string;
  bus: EventLog;
  services: ServiceManager;
  app: TenorApp;
  /** Folder of the site file and the flow files. */
  dir: string;
  /** The server's data folder (its database, recordings, voicemail). */
  dataDir: string;
  /** Path of a flow's file (flows/<name>.yaml). */
  flowFile(name: string): string;
  /** An admin's request to the API. */
  api(method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, body?: string | object, contentType?: string): Promise<{ status: number; json: unknown }>;
}

export interface IvrSiteOptions {
  /** Site file content (queues, entry numbers, …); `flows` is filled from `flows` below. */
  site: Record<string, unknown>;
  /** Flow name → YAML source, written to flows/<name>.yaml and declared in the site file. */
  flows: Record<string, string>;
  clock?: FlowClock;
  /** The server's logger (default: silent), e.g. one writing every level to a file. */
  logger?: Logger;
}

export async function startIvrSite(t: Test, opts: IvrSiteOptions): Promise<IvrSite> {
  const dir = tempDir(t, 'tenor-ivr-sip-');
  mkdirSync(path.join(dir, 'flows'));
  const flowFile = (name: string): string => path.join(dir, 'flows', `${name}.yaml`);
  for (const [name, source] of Object.entries(opts.flows)) writeFileSync(flowFile(name), source);
  const file = path.join(dir, 'site.yaml');
  const flows = Object.keys(opts.flows).map((name) => ({ name, file: `flows/${name}.yaml` }));
  writeFileSync(file, JSON.stringify({ ...opts.site, flows }, null, 2));
  const sipPort = await freeUdpTcpPort();
  const rtp = await freeUdpRange(60, { belowEphemeral: true });
  const config = testConfig(t, {
    TENOR_CONFIG: file, TENOR_SIP_PORT: String(sipPort), TENOR_RTP_PORT_MIN: String(rtp.from), TENOR_RTP_PORT_MAX: String(rtp.to),
  });
  const logger = opts.logger ?? silentLogger;
  const services = new ServiceManager({ logger });
  // The IVR on the test's clock instead of the system's.
  for (const def of builtinServices(config)) services.register(def.name === 'ivr' ? ivrService(config, { ...(opts.clock ? { clock: opts.clock } : {}), watchDebounceMs: 100 }) : def);
  await services.startAll();
  const app = await build({ services, logger, version: '9.9.9', baseDir: config.baseDir, uiRoot });
  t.teardown(async () => {
    await app.close();
    await services.stopAll();
  });
  const bus = new EventLog();
  let unsubscribe = services.get('events').subscribeAll((e) => bus.push(e));
  // The log follows the bus when a test replaces it, like every subscriber.
  const stopFollowing = services.whenReplaced('events', () => {
    unsubscribe();
    unsubscribe = services.get('events').subscribeAll((e) => bus.push(e));
  });
  t.teardown(() => {
    stopFollowing();
    unsubscribe();
  });
  return {
    sip: `127.0.0.1:${sipPort}`,
    bus,
    services,
    app,
    dir,
    dataDir: config.dataDir,
    flowFile,
    async api(method, url, body, contentType) {
      const res = await app.inject({
        method, url, headers: { ...ADMIN_AUTH, ...(body !== undefined ? { 'content-type': contentType ?? (typeof body === 'string' ? 'application/yaml' : 'application/json') } : {}) },
        ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      return { status: res.statusCode, json: res.body === '' ? undefined : (JSON.parse(res.body) as unknown) };
    },
  };
}

/** A SIPp caller stopped at teardown if still running. */
async function sipp(t: Test, opts: Parameters<typeof startSipp>[0]): Promise<SippProcess> {
  const p = await startSipp(opts);
  t.teardown(() => p.stop(2000));
  return p;
}

/** Dials `number`; after each pause of `gapMs` presses keys1, then keys2; hangs up one pause later. */
export function keysCaller(t: Test, site: IvrSite, o: { number: string; caller: string; keys1: string; keys2: string; gapMs: number }): Promise<SippProcess> {
  return sipp(t, {
    scenario: path.join(SCENARIOS, 'uac-ivr-keys.xml'), remote: site.sip, service: o.number, calls: 1, pauseMs: o.gapMs,
    vars: { caller: o.caller, keys1: o.keys1, keys2: o.keys2 }, timeoutMs: o.gapMs * 3 + 30_000,
  });
}

/** Dials `number`, presses nothing, hangs up `stayMs` after the answer. */
export function silentCaller(t: Test, site: IvrSite, o: { number: string; caller: string; stayMs: number }): Promise<SippProcess> {
  return sipp(t, {
    scenario: path.join(SCENARIOS, 'uac-ivr-silent.xml'), remote: site.sip, service: o.number, calls: 1, pauseMs: o.stayMs,
    vars: { caller: o.caller }, timeoutMs: o.stayMs + 30_000,
  });
}
