// What `tenor start --demo` adds for campaigns: a queue for outbound agents,
// a three-number list and a progressive campaign on it, left paused so that
// nothing is dialed until a supervisor starts it.

import type { ServiceManager } from '../../core/service-manager.js';
import { queueWithDefaults } from '../acd/index.js';
import './service.js';

export async function seedCampaignDemo(services: ServiceManager): Promise<string> {
  const campaigns = services.get('campaigns');
  const acd = services.get('acd');
  if (!acd.queue('outbound-demo')) await acd.saveQueue(queueWithDefaults({ name: 'outbound-demo' }));
  const existing = (await campaigns.list()).find((c) => c.name === 'demo-spring');
  if (!existing) {
    await campaigns.importList(['Phone,Name\n+4930555010101,Demo Anna\n+4930555010102,Demo Ben\n+4930555010103,Demo Cem\n'], {
      list: 'demo-leads', mapping: { phone: 'Phone', name: 'Name' }, country: 'DE',
    });
    await campaigns.save('demo-spring', {
      mode: 'progressive', target: { list: 'demo-leads' }, queue: 'outbound-demo', callerId: '+4930999000', script: 'demo', ringTimeSeconds: 20,
    });
    await campaigns.start('demo-spring');
    await campaigns.pause('demo-spring');
  }
  return "campaign 'demo-spring' (progressive, 3 numbers, queue outbound-demo) is paused: POST /api/campaigns/demo-spring/start";
}
