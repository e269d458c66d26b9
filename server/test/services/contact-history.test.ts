// A call the ACD connects for a known customer shows on the customer's timeline.
// The telephony service here is the ACD tests' in-memory driver (memory-driver.ts),
// a stand-in until the ACD's SIP end-to-end tests exist; everything else is real.

import t from 'tap';
import { defineService, ServiceManager } from '../../src/core/service-manager.js';
import type { TelephonyDriver } from '@tenor/telephony';
import { storeService } from '../../src/services/store.js';
import { eventsService } from '../../src/services/events.js';
import { dialingService } from '../../src/services/dialing/service.js';
import { usersService } from '../../src/services/users.js';
import { sipCredentialsService } from '../../src/services/sip-credentials/service.js';
import { crmServices } from '../../src/services/crm/index.js';
import { acdService } from '../../src/services/acd/service.js';
import { contactHistoryService } from '../../src/services/contact-history.js';
import { silentLogger, testConfig } from '../helpers.js';
import { FakeClock, settle } from '../acd/fake-clock.js';
import { MemoryDriver } from '../acd/memory-driver.js';
import { agentProfile, queue } from '../acd/fixtures.js';

t.test('a call answered by an agent is on the caller\'s contact history', async (t) => {
  const config = testConfig(t);
  const driver = new MemoryDriver(new FakeClock());
  const services = new ServiceManager({ logger: silentLogger });
  services.register(storeService(config.dataDir));
  services.register(eventsService());
  services.register(dialingService(config));
  services.register(usersService(config.adminPassword));
  services.register(sipCredentialsService(config));
  for (const def of crmServices({ modelFile: undefined, defaultCountry: 'US', baseDir: config.baseDir })) services.register(def);
  services.register(defineService<TelephonyDriver>({ name: 'telephony', start: () => driver }));
  services.register(acdService(config));
  services.register(contactHistoryService());
  await services.startAll();
  t.teardown(() => services.stopAll());

  const crm = services.get('crm');
  const acd = services.get('acd');
  const customer = await crm.entity('Customer').create({ name: 'Grace', phones: ['+12125550100'] });
  await acd.saveQueue(queue('support'));
  await acd.saveAgent(agentProfile('ann', ['support']));
  await acd.login('ann');

  const caller = driver.caller('+12125550100');
  const result = acd.enqueueCall(caller, { queue: 'support', customerId: String(customer.id) });
  await settle();
  driver.dialed.find((d) => !d.settled)?.answer();
  await settle();
  caller.farEndHangup();
  t.same(await result, { result: 'connected', agent: 'ann' });
  // call_ended leaves once the ACD's writes before it are committed; then the history writes its entry.
  await acd.flush();
  await services.get('contact-history').settled();

  const history = await crm.history(customer.id, { limit: 10, offset: 0 });
  t.match(history.items, [{ channel: 'call', direction: 'inbound', queue: 'support', agent: 'ann', outcome: 'answered', callId: caller.id }]);
  t.equal(history.summary.contactsLast30Days, 1);

  // An unidentified caller leaves no entry on anyone's timeline.
  const anonymous = driver.caller('+19995550000');
  const second = acd.enqueueCall(anonymous, { queue: 'support' });
  await settle();
  anonymous.farEndHangup();
  await second;
  await acd.flush();
  await services.get('contact-history').settled();
  t.equal((await crm.entity('Interaction').list()).total, 1);
});
