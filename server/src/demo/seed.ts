// `tenor start --demo` seeds a small demo site once: a supervisor and three
// agents. Each later component adds what it contributes to the demo here.

import type { ServiceManager } from '../core/service-manager.js';
import { isTenorError } from '../core/errors.js';
import { seedIvrDemo } from '../services/ivr/demo.js';
import { seedCampaignDemo } from '../services/campaigns/demo.js';
import { seedVoicemailDemo } from '../services/voicemail/demo.js';
import { sipDeviceUser } from '../services/acd/devices.js';
import '../services/acd/service.js';
import '../services/sip-credentials/service.js';

export const DEMO_PASSWORD = 'demo-password';
/** The demo agents' softphones register with this device secret (web passwords never register a phone). */
export const DEMO_DEVICE_SECRET = 'demo-device-secret';

export interface DemoSummary {
  users: string[];
  /** The IVR's demo, one line: "dial 100 for flow 'demo-main' v1 …" (absent when no IVR service runs). */
  ivr?: string;
  /** The campaigns' demo, one line (absent when no campaigns service runs). */
  campaign?: string;
  /** Voicemail's demo boxes, one line (absent when no voicemail service runs). */
  voicemail?: string;
  /** SIP users of the demo softphones that register with DEMO_DEVICE_SECRET. */
  softphones?: string[];
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
  const softphones = services.has('acd') && services.has('sipCredentials') ? await seedDemoDeviceSecrets(services) : undefined;
  return {
    users: people.map((p) => `${p.username} (${p.role})`),
    ...(ivr !== undefined ? { ivr } : {}),
    ...(campaign !== undefined ? { campaign } : {}),
    ...(voicemail !== undefined ? { voicemail } : {}),
    ...(softphones !== undefined && softphones.length > 0 ? { softphones } : {}),
  };
}

/** Demo agents' softphones that have no device secret get DEMO_DEVICE_SECRET; returns their SIP users. */
async function seedDemoDeviceSecrets(services: ServiceManager): Promise<string[]> {
  const credentials = services.get('sipCredentials');
  const given: string[] = [];
  for (const agent of services.get('acd').agents()) {
    const sipUser = sipDeviceUser(agent.profile.device, agent.login);
    if (sipUser === undefined || credentials.status(sipUser) !== 'missing') continue;
    await credentials.setSecret({ kind: 'agent', name: agent.login }, sipUser, DEMO_DEVICE_SECRET);
    given.push(sipUser);
  }
  return given;
}
