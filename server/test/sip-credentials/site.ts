// A whole Tenor in process with its SIP listener on a free loopback port, for
// the SIP credentials tests: phones (baresip) and a scripted digest client
// register to it over real SIP.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Test } from 'tap';
import { Baresip, freeUdpRange, freeUdpTcpPort, registerContact } from '../../../telephony/test/peers/index.js';
import type { ServiceManager } from '../../src/core/service-manager.js';
import type { TenorApp } from '../../src/http/app.js';
import { ADMIN_AUTH, startTestApp, tempDir, testConfig } from '../helpers.js';

export interface SipSite {
  /** "127.0.0.1:port" of Tenor's SIP listener. */
  sip: string;
  app: TenorApp;
  services: ServiceManager;
  dataDir: string;
  /** An admin API call; returns the status and the parsed body. */
  api(method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, payload?: object): Promise<{ status: number; body: Record<string, unknown> }>;
}

/** Start Tenor with this site file (JSON, which is YAML) in `dataDir` (a new folder unless given). */
export async function startSipSite(t: Test, site: Record<string, unknown>, dataDir = tempDir(t, 'tenor-sip-data-')): Promise<SipSite> {
  const file = path.join(tempDir(t, 'tenor-sip-site-'), 'site.yaml');
  writeFileSync(file, JSON.stringify(site, null, 2));
  const sipPort = await freeUdpTcpPort();
  const rtp = await freeUdpRange(20, { belowEphemeral: true });
  const config = testConfig(t, {
    TENOR_CONFIG: file, TENOR_DATA_DIR: dataDir, TENOR_SIP_PORT: String(sipPort), TENOR_RTP_PORT_MIN: String(rtp.from), TENOR_RTP_PORT_MAX: String(rtp.to),
  });
  const { app, services } = await startTestApp(t, { config });
  return {
    sip: `127.0.0.1:${sipPort}`, app, services, dataDir,
    async api(method, url, payload) {
      const res = await app.inject({ method, url, headers: ADMIN_AUTH, ...(payload ? { payload } : {}) });
      return { status: res.statusCode, body: res.body === '' ? {} : (JSON.parse(res.body) as Record<string, unknown>) };
    },
  };
}

/** The final status of a REGISTER as `user` answering the digest challenge with `password` (a scripted client). */
export async function registerStatus(site: SipSite, user: string, password: string): Promise<number> {
  const reply = await registerContact({ registrar: site.sip, user, password, contact: `sip:${user}@127.0.0.1:5999`, timeoutMs: 10_000 });
  return reply.status;
}

/** Whether a real softphone (baresip) registering as `user` with `password` is accepted; it is stopped either way. */
export async function softphoneRegisters(t: Test, site: SipSite, user: string, password: string): Promise<{ state: 'ok' | 'failed'; log: string }> {
  const phone = await Baresip.start({ user, registrar: site.sip, password, registerIntervalS: 300, autoAnswer: true });
  t.teardown(() => phone.stop());
  try {
    const state = await phone.waitForRegistration(20_000);
    return { state, log: phone.log().slice(-600) };
  } finally {
    await phone.stop();
  }
}
