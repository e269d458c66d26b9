// `tenor start --demo` seeds a small demo site once: a supervisor and three
// agents. Each later component adds what it contributes to the demo here.

import type { ServiceManager } from '../core/service-manager.js';
import { isTenorError } from '../core/errors.js';
import { seedIvrDemo } from '../services/ivr/demo.js';
import { seedCampaignDemo } from '../services/campaigns/demo.js';
import { seedVoicemailDemo } from '../services/voicemail/demo.js';

export const DEMO_PASSWORD = 'demo';

export interface DemoSummary {
  users: string[];
  /** The IVR's demo, one line: "dial 100 for flow 'demo-main' v1 …" (absent when no IVR service runs). */
  ivr?: string;
  /** The campaigns' demo, one line (absent when no campaigns service runs). */
  campaign?: string;
  /** Voicemail's demo boxes, one line (absent when no voicemail service runs). */
  voicemail?: string;
}

export async function seedDemo(services: ServiceManager): Promise<DemoSummary> {
  const users = services.get('users');
  const people = [
    { username: 'sam', displayName: 'Sam Supervisor', role: 'supervisor' as const },
    { username: 'alice', displayName: 'Alice Agent', role: 'agent' as const },
    { username: 'bob', displayName: 'Bob Agent', role: 'agent' as const },
    { username: 'carol', displayName: 'Carol Agent', role: 'agent' as const },
  ];
  for (const person of people) {
    try {
      await users.create({ ...person, password: DEMO_PASSWORD });
    } catch (err) {
      if (!isTenorError(err, 'TENOR_ERR_USER_EXISTS')) throw err;
    }
  }
  const ivr = services.has('ivr') ? await seedIvrDemo(services) : undefined;
  const campaign = services.has('campaigns') ? await seedCampaignDemo(services) : undefined;
  // After the IVR's demo: its queues bring the queue boxes.
  const voicemail = services.has('voicemail') && services.has('ivr') ? seedVoicemailDemo(services) : undefined;
  return {
    users: people.map((p) => `${p.username} (${p.role})`),
    ...(ivr !== undefined ? { ivr } : {}),
    ...(campaign !== undefined ? { campaign } : {}),
    ...(voicemail !== undefined ? { voicemail } : {}),
  };
}
