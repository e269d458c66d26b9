// The soak's contact center: two queues reached by entry numbers and one
// through an IVR flow, five agents on baresip phones (one whose phone rings and
// is never answered), and a progressive campaign calling a SIPp "public
// network" behind a trunk through a third queue with its own agent.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const SALES = '+15550100';
export const SUPPORT = '+15550300';
export const FLOW_NUMBER = '+15550200';

/**
 * The device secret of an agent's softphone. (Not test/sip-devices.ts's: importing it brings in
 * the server's services, which bench/'s type check does not build.) Its phones are MD5 only, as
 * there: baresip 1.0.0 cannot answer SHA-256.
 */
export function softphoneSecret(login: string): string {
  return `${login}-soak-device-secret`;
}

export interface SoakAgent {
  login: string;
  /** The phone answers by itself; false: it rings until the queue's ring timeout. */
  answers: boolean;
  /** Takes the campaign's calls (queue outbound) rather than inbound ones. */
  campaign: boolean;
}

export const AGENTS: readonly SoakAgent[] = [
  { login: 'ann', answers: true, campaign: false },
  { login: 'bob', answers: true, campaign: false },
  { login: 'cat', answers: true, campaign: false },
  { login: 'dan', answers: false, campaign: false },
  { login: 'eve', answers: true, campaign: true },
];

/** The flow's source at a version: the queue it routes to alternates, so a reload changes where callers go. */
export function flowSource(version: number): string {
  return `name: main
version: ${version}
language: en
timezone: UTC
start: route
nodes:
  route: { type: queue, queue: ${version % 2 === 0 ? 'sales' : 'support'} }
`;
}

/** Writes site.yaml and flows/main.yaml into `dir`; returns the site file's path. */
export function writeSoakSite(dir: string, trunkPort: number): string {
  mkdirSync(path.join(dir, 'flows'), { recursive: true });
  writeFileSync(path.join(dir, 'flows', 'main.yaml'), flowSource(1));
  const inbound = [{ queue: 'sales' }, { queue: 'support' }];
  const site = {
    trunks: [{ name: 'pstn', host: '127.0.0.1', port: trunkPort }],
    dialing: { country: 'DE' }, // the public network's numbers are in Berlin
    queues: [
      { name: 'sales', ringTimeoutSeconds: 5, wrapUpSeconds: 1 },
      { name: 'support', ringTimeoutSeconds: 5, wrapUpSeconds: 0 },
      { name: 'outbound', ringTimeoutSeconds: 10, wrapUpSeconds: 0 },
    ],
    agents: AGENTS.map((a) => ({
      // No web password: the soak acts for agents as the admin, and hashing five passwords takes
      // seconds of the ACD's start on a loaded machine.
      login: a.login, name: a.login.toUpperCase(), device: { type: 'softphone', secret: softphoneSecret(a.login), digest: 'md5' }, queues: a.campaign ? [{ queue: 'outbound' }] : inbound,
    })),
    entryNumbers: [{ number: SALES, queue: 'sales' }, { number: SUPPORT, queue: 'support' }, { number: FLOW_NUMBER, flow: 'main' }],
    flows: [{ name: 'main', file: 'flows/main.yaml' }],
  };
  const file = path.join(dir, 'site.yaml');
  writeFileSync(file, JSON.stringify(site, null, 2));
  return file;
}

/**
 * The campaign's numbers on the public network (+49305550BDN, B the behaviour:
 * 1 a person who answers, 3 busy, 5 answers and says nothing): every number
 * once, people first, then a busy or silent one every fourth.
 */
export function campaignNumbers(count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < Math.min(count, 200); i++) {
    const behaviour = i % 4 === 3 ? (i % 8 === 3 ? 3 : 5) : 1;
    out.push(`+49305550${behaviour}${String(i % 100).padStart(2, '0')}`);
  }
  return [...new Set(out)];
}

/** The campaign: progressive, no AMD, no retries, a window open all day every day (it is a load, not a compliance test). */
export const CAMPAIGN = {
  mode: 'progressive', target: { list: 'soak' }, queue: 'outbound', callerId: '+4930999000', trunk: 'pstn',
  ringTimeSeconds: 15, maxAttempts: 1, amd: false,
  window: { from: '00:00', to: '23:59', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] },
};
