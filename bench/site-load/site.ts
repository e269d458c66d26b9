// The site a whole-site load runs on: `agents` agents whose phones are reached
// through a SIP trunk (device type `external`, the "home or mobile phone"
// kind), all of them on one SIPp answering every INVITE and echoing RTP; a few
// skills-based queues, each with an entry number of its own; an IVR flow whose
// menu keeps a caller listening (it prompts, waits for a key, and on silence
// starts again, for ever); the callers arriving through a carrier trunk of
// their own address. Caps (dialing policy, SIP call caps) are raised to what
// the load needs, as a site of that size would set them.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const QUEUES = ['sales', 'support', 'billing'] as const;
export type QueueName = (typeof QUEUES)[number];
/** The entry number of each queue, and of the IVR. */
export const QUEUE_NUMBERS: Record<QueueName, string> = { sales: '+4930100100', support: '+4930100200', billing: '+4930100300' };
export const IVR_NUMBER = '+4930100900';
/** Where the callers come from (the carrier's address); the agents' phones answer on 127.0.0.1. */
export const CALLERS_ADDRESS = '127.0.0.2';
const SKILLS = ['english', 'german', 'billing'] as const;

export interface SiteAgent {
  login: string;
  /** The number Tenor dials through the `phones` trunk to reach the agent. */
  number: string;
}

export interface SiteFile {
  file: string;
  agents: SiteAgent[];
}

export function agentNumber(i: number): string {
  return `+49305559${String(i + 1).padStart(4, '0')}`;
}

/** Writes `site.yaml` (JSON is YAML) and its flow into `dir`. */
export function writeSite(dir: string, opts: { agents: number; ivrCallers: number; phonesPort: number }): SiteFile {
  mkdirSync(path.join(dir, 'flows'), { recursive: true });
  // A caller who never presses a key hears the menu again and again: no-input re-prompts, then the fallback starts it over.
  writeFileSync(path.join(dir, 'flows', 'ivr.yaml'), JSON.stringify({
    name: 'ivr', version: 1, start: 'welcome',
    nodes: {
      welcome: { type: 'play', prompts: ['welcome'], next: 'menu' },
      menu: { type: 'menu', prompts: ['main-menu'], options: { '1': 'sales', '2': 'support' }, timeout: '5s', retries: 2, fallback: 'menu' },
      sales: { type: 'queue', queue: 'sales' },
      support: { type: 'queue', queue: 'support' },
    },
  }));
  const agents: SiteAgent[] = Array.from({ length: opts.agents }, (_, i) => ({ login: `a${String(i + 1).padStart(3, '0')}`, number: agentNumber(i) }));
  const legs = 2 * (opts.agents + opts.ivrCallers) + 50;
  const file = path.join(dir, 'site.yaml');
  writeFileSync(file, JSON.stringify({
    sip: { limits: { calls: legs, trunkCallsPerAddress: legs, trunkUnansweredCallsPerAddress: legs, trunkRequestsPerAddress: 100_000 } },
    trunks: [
      { name: 'carrier', host: CALLERS_ADDRESS, port: 5060, inboundAddresses: [CALLERS_ADDRESS] },
      { name: 'phones', host: '127.0.0.1', port: opts.phonesPort },
    ],
    dialing: {
      country: 'DE',
      site: { concurrent: legs, perHour: 1_000_000 },
      perTrunk: { concurrent: legs, perHour: 1_000_000 },
    },
    flows: [{ name: 'ivr', file: 'flows/ivr.yaml' }],
    entryNumbers: [
      { number: IVR_NUMBER, flow: 'ivr' },
      ...QUEUES.map((q) => ({ number: QUEUE_NUMBERS[q], queue: q })),
    ],
    // Wrap-up off: an agent takes the next caller as soon as the last one hangs up.
    queues: QUEUES.map((name) => ({ name, strategy: 'skills-based', requiredSkills: { [name === 'billing' ? 'billing' : 'english']: 1 }, ringTimeoutSeconds: 15, wrapUpSeconds: 0 })),
    agents: agents.map((a, i) => ({
      login: a.login, name: `Agent ${a.login}`,
      device: { type: 'external', number: a.number, trunk: 'phones' },
      skills: Object.fromEntries(SKILLS.map((s, k) => [s, 1 + ((i + k * 3) % 9)])),
      queues: QUEUES.map((queue) => ({ queue })),
    })),
  }, null, 2));
  return { file, agents };
}
