// A whole Tenor server with real SIP peers for supervisor monitoring: like
// acd-sip/site.ts (same peers and EventLog), plus a supervisor user and HTTP
// requests as any user. Goertzel tone levels tell which party's audio (each
// party sends its own tone) Tenor sent to whom, from a capture of the wire.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Test } from 'tap';
import { freeUdpRange, freeUdpTcpPort, type RtpPacket } from '../../../telephony/test/peers/index.js';
import { decodeUlaw } from '../../../telephony/src/embedded/media/g711.js';
import type { TenorApp } from '../../src/http/app.js';
import type { ServiceManager } from '../../src/core/service-manager.js';
import { ADMIN_AUTH, startTestApp, tempDir, testConfig } from '../helpers.js';
import { giveUserDeviceSecret, withDeviceSecrets } from '../sip-devices.js';
import { EventLog, type CallView, type Site } from '../acd-sip/site.js';

export interface MonitorSite extends Site {
  app: TenorApp;
  services: ServiceManager;
  /** An HTTP request as `user` (Basic auth); JSON body parsed when there is one. */
  request(user: { username: string; password: string }, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object): Promise<{ status: number; body: Record<string, unknown> }>;
}

export function basic(username: string, password: string): { authorization: string } {
  return { authorization: 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64') };
}

/** Start Tenor with this site file and these extra users (created through the users service; supervisors get a softphone device secret). */
export async function startMonitorSite(
  t: Test, site: Record<string, unknown>, users: { username: string; password: string; role: 'agent' | 'supervisor' | 'admin' }[],
): Promise<MonitorSite> {
  const dir = tempDir(t, 'tenor-monitor-sip-');
  const file = path.join(dir, 'site.yaml');
  writeFileSync(file, JSON.stringify(withDeviceSecrets(site), null, 2));
  const sipPort = await freeUdpTcpPort();
  const rtp = await freeUdpRange(60, { belowEphemeral: true });
  const config = testConfig(t, { TENOR_CONFIG: file, TENOR_SIP_PORT: String(sipPort), TENOR_RTP_PORT_MIN: String(rtp.from), TENOR_RTP_PORT_MAX: String(rtp.to) });
  const { app, services } = await startTestApp(t, { config });
  for (const u of users) {
    await services.get('users').create({ username: u.username, displayName: u.username, password: u.password, role: u.role });
    if (u.role === 'supervisor') await giveUserDeviceSecret(services, u.username);
  }
  const bus = new EventLog();
  t.teardown(services.get('events').subscribeAll((e) => bus.push(e)));
  const acd = services.get('acd');
  const json = async <T>(res: { statusCode: number; body: string }, what: string): Promise<T> => {
    if (res.statusCode !== 200) throw new Error(`${what}: ${res.statusCode} ${res.body}`);
    return JSON.parse(res.body) as T;
  };
  return {
    sip: `127.0.0.1:${sipPort}`, rtp, engine: services.get('telephony').name, acd, crm: services.get('crm'), bus, app, services,
    async calls() {
      await acd.flush();
      return json<CallView[]>(await app.inject({ method: 'GET', url: '/api/calls?limit=100', headers: ADMIN_AUTH }), 'GET /api/calls');
    },
    async setState(login, state, reason) {
      return json(await app.inject({ method: 'POST', url: `/api/agents/${login}/state`, headers: ADMIN_AUTH, payload: { state, ...(reason ? { reason } : {}) } }), `state of ${login}`);
    },
    async agentView(login) {
      return json(await app.inject({ method: 'GET', url: `/api/agents/${login}`, headers: ADMIN_AUTH }), `agent ${login}`);
    },
    async request(user, method, url, payload) {
      const res = await app.inject({ method, url, headers: basic(user.username, user.password), ...(payload ? { payload } : {}) });
      return { status: res.statusCode, body: res.body ? JSON.parse(res.body) as Record<string, unknown> : {} };
    },
  };
}

/** The PCMU audio of these packets (in arrival order) as linear samples. */
export function pcmOf(packets: RtpPacket[]): Int16Array {
  const parts = packets.filter((p) => p.payloadType === 0).sort((a, b) => a.timeMs - b.timeMs).map((p) => decodeUlaw(p.payload));
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * How much of the audio is a sine at `hz`: Goertzel power in 50 ms blocks
 * (20 Hz bins, so 440, 700 and 1200 Hz sit on a bin) over the blocks' energy,
 * scaled so that a pure tone gives 1 and two equal tones about 0.5 each.
 * Blocks of near silence are left out; no audio at all gives 0.
 */
export function toneShare(pcm: Int16Array, hz: number): number {
  const n = 400;
  const coeff = 2 * Math.cos((2 * Math.PI * hz) / 8000);
  let power = 0;
  let energy = 0;
  for (let start = 0; start + n <= pcm.length; start += n) {
    let s1 = 0;
    let s2 = 0;
    let e = 0;
    for (let i = start; i < start + n; i++) {
      const x = pcm[i] as number;
      const s0 = x + coeff * s1 - s2;
      s2 = s1;
      s1 = s0;
      e += x * x;
    }
    if (e / n < 100 * 100) continue; // quieter than about -50 dBFS: silence, not a tone
    power += s1 * s1 + s2 * s2 - coeff * s1 * s2;
    energy += e;
  }
  return energy === 0 ? 0 : power / (energy * (n / 2));
}
