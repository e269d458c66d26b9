// The ACD as a service under the service manager, configured from a YAML
// file: queues and agents from the file, an agent user account for an agent
// with a password, logged-in agents kept across a restart.
// The telephony service here is the in-memory driver (memory-driver.ts), a
// stand-in until the SIP end-to-end tests.

import t from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/services/index.js';
import { ServiceManager, defineService } from '../../src/core/service-manager.js';
import { storeService } from '../../src/services/store.js';
import { eventsService } from '../../src/services/events.js';
import { dialingService } from '../../src/services/dialing/service.js';
import { usersService } from '../../src/services/users.js';
import { sipCredentialsService } from '../../src/services/sip-credentials/service.js';
import { acdService } from '../../src/services/acd/service.js';
import type { TelephonyDriver } from '@tenor/telephony';
import { silentLogger, tempDir } from '../helpers.js';
import { FakeClock } from './fake-clock.js';
import { MemoryDriver } from './memory-driver.js';

const yaml = `
trunks:
  - name: kpn
    host: 127.0.0.1
queues:
  - name: sales
    strategy: longest-idle
    ringTimeoutSeconds: 15
    wrapUpSeconds: 10
  - name: support
    strategy: skills-based
agents:
  - login: ann
    name: Ann de Vries
    password: secret-ann-web
    skills: { de: 7, billing: 4 }
    queues: [{ queue: sales }, { queue: support, penalty: 2 }]
  - login: rob
    name: Rob Remote
    device: { type: external, number: "+31612345678", trunk: kpn }
    queues: [{ queue: sales }]
`;

async function boot(dir: string): Promise<ServiceManager> {
  const file = path.join(dir, 'tenor.yaml');
  writeFileSync(file, yaml);
  const config = loadConfig({ TENOR_CONFIG: file, TENOR_DATA_DIR: path.join(dir, 'data'), TENOR_ADMIN_PASSWORD: 'admin-password' }, dir);
  const services = new ServiceManager({ logger: silentLogger });
  services.register(storeService(config.dataDir));
  services.register(eventsService());
  services.register(dialingService(config));
  services.register(usersService(config.adminPassword));
  services.register(sipCredentialsService(config));
  services.register(defineService<TelephonyDriver>({ name: 'telephony', dependsOn: ['users'], start: () => new MemoryDriver(new FakeClock()) }));
  services.register(acdService(config, { breakReasons: ['lunch'] }));
  await services.startAll();
  return services;
}

t.test('queues and agents come from the configuration file; logged-in agents survive a restart', async (t) => {
  const dir = tempDir(t, 'tenor-acd-service-');
  const first = await boot(dir);
  const acd = first.get('acd');
  t.same(acd.queues().map((q) => [q.name, q.strategy, q.ringTimeoutSeconds, q.wrapUpSeconds]), [['sales', 'longest-idle', 15, 10], ['support', 'skills-based', 20, 0]]);
  t.same(acd.agent('ann')?.profile.queues, [{ queue: 'sales', penalty: 0 }, { queue: 'support', penalty: 2 }]);
  t.same(acd.agent('rob')?.profile.device, { type: 'external', number: '+31612345678', trunk: 'kpn' });
  t.ok(await first.get('users').authenticate('ann', 'secret-ann-web'), 'ann can log in with the password from the file');
  await acd.login('ann');
  acd.takeBreak('ann', 'lunch');
  await acd.login('rob');
  await acd.flush();
  t.match((await first.list()).find((s) => s.name === 'acd')?.health.detail, /2 queues, 0 waiting, 2 agents logged in/);
  await first.stopAll();

  const second = await boot(dir);
  t.teardown(() => second.stopAll());
  const again = second.get('acd');
  t.same(again.agents().map((a) => [a.login, a.state, a.reason]), [['ann', 'break', 'lunch'], ['rob', 'ready', 'login']]);
  t.same(again.figures('sales'), { waiting: 0, longestWaitMs: 0, agentsLoggedIn: 2, agentsReady: 1, agentsBusy: 0, agentsOnBreak: 1 });
});
