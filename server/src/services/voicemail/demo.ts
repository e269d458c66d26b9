// What voicemail adds to `tenor start --demo`: nothing to create (the general
// box always exists, and the demo's sales and support queues bring their own
// boxes), so it checks that those boxes are there and says where to look.

import type { ServiceManager } from '../../core/service-manager.js';
import './service.js';

export const DEMO_BOXES = ['general', 'queue:sales', 'queue:support'] as const;

/** One line for the demo summary, naming any box the demo flow uses that is missing. */
export function seedVoicemailDemo(services: ServiceManager): string {
  const voicemail = services.get('voicemail');
  const missing = DEMO_BOXES.filter((b) => !voicemail.box(b));
  if (missing.length > 0) return `boxes missing: ${missing.join(', ')} (the demo queues were not created)`;
  const mail = services.has('mail') && services.get('mail').configured ? 'e-mailed to each box\'s notify addresses' : 'not e-mailed (no smtp in the site file)';
  return `boxes ${DEMO_BOXES.join(', ')}; messages at /api/voicemail/messages, ${mail}`;
}
