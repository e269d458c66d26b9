// The ACD's REST API, in process (app.inject): queues with live figures,
// agents and their state, the state log, call records with filters.
// Calls come from the in-memory driver (memory-driver.ts), a stand-in until
// the SIP end-to-end tests.

import t, { type Test } from 'tap';
import path from 'node:path';
import Fastify from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { loadConfig } from '../../src/services/index.js';
import { ServiceManager, defineService } from '../../src/core/service-manager.js';
import { ErrorResponse, installErrorHandling } from '../../src/http/errors.js';
import { storeService } from '../../src/services/store.js';
import { eventsService } from '../../src/services/events.js';
import { dialingService } from '../../src/services/dialing/service.js';
import { usersService } from '../../src/services/users.js';
import { sipCredentialsService } from '../../src/services/sip-credentials/service.js';
import { acdService } from '../../src/services/acd/service.js';
import { acdRoutes } from '../../src/services/acd/routes.js';
import type { TelephonyDriver } from '@tenor/telephony';
import { silentLogger, sleep, tempDir } from '../helpers.js';
import { FakeClock } from './fake-clock.js';
import { MemoryDriver } from './memory-driver.js';

/** Wait (5 s at most) for something the server does on its own time. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the server');
    await sleep(5);
  }
}

const admin = `Basic ${Buffer.from('admin:admin-password').toString('base64')}`;

async function setup(t: Test) {
  const dir = tempDir(t, 'tenor-acd-routes-');
  const config = loadConfig({ TENOR_DATA_DIR: path.join(dir, 'data'), TENOR_ADMIN_PASSWORD: 'admin-password' }, dir);
  const driver = new MemoryDriver(new FakeClock());
  const services = new ServiceManager({ logger: silentLogger });
  services.register(storeService(config.dataDir));
  services.register(eventsService());
  services.register(dialingService(config));
  services.register(usersService(config.adminPassword));
  services.register(sipCredentialsService(config));
  services.register(defineService<TelephonyDriver>({ name: 'telephony', dependsOn: ['users'], start: () => driver }));
  services.register(acdService(config));
  await services.startAll();
  const app = Fastify().withTypeProvider<TypeBoxTypeProvider>();
  app.addSchema(ErrorResponse);
  installErrorHandling(app);
  await app.register(acdRoutes({ services }));
  await app.ready();
  t.teardown(async () => {
    await app.close();
    await services.stopAll();
  });
  return { app, services, driver };
}

t.test('queues and agents are managed over the API; state changes; live figures; call records', async (t) => {
  const { app, services, driver } = await setup(t);
  const put = (url: string, payload: object) => app.inject({ method: 'PUT', url, payload, headers: { authorization: admin } });
  const post = (url: string, payload: object) => app.inject({ method: 'POST', url, payload, headers: { authorization: admin } });
  const get = (url: string) => app.inject({ method: 'GET', url, headers: { authorization: admin } });

  t.equal((await app.inject({ method: 'GET', url: '/api/queues' })).statusCode, 401, 'credentials required');
  const created = await put('/api/queues/sales', { strategy: 'round-robin', wrapUpSeconds: 5, callbackKey: '*', overflow: { afterSeconds: 60, queue: 'sales' }, script: 'sales-lead' });
  t.equal(created.statusCode, 200, created.body);
  t.same(created.json().definition.callbackKey, '*');
  t.equal(created.json().definition.script, 'sales-lead', "the queue keeps the dialogue script its agents' desktops start");
  const bad = await put('/api/queues/bad', { strategy: 'fastest' });
  t.same([bad.statusCode, bad.json().error.code], [400, 'TENOR_ERR_VALIDATION']);

  t.equal((await put('/api/agents/ann', { name: 'Ann', skills: { de: 5 }, queues: [{ queue: 'sales' }] })).statusCode, 200);
  const loggedIn = await post('/api/agents/ann/state', { state: 'ready' });
  t.same([loggedIn.statusCode, loggedIn.json().state], [200, 'ready'], 'logged in ready');
  t.same((await post('/api/agents/ann/state', { state: 'break' })).json().reason, 'supervisor', "an admin's break for ann needs no reason: it is recorded as forced");
  t.same((await post('/api/agents/ann/state', { state: 'break', reason: 'lunch-ish' })).json().error.message, "Invalid request: unknown break reason 'lunch-ish' (known: lunch, coffee, meeting, training, other)");
  t.same((await post('/api/agents/ann/state', { state: 'ready' })).json().state, 'ready');
  t.same((await post('/api/agents/ann/state', { state: 'break', reason: 'coffee' })).json().state, 'break');
  t.same((await post('/api/agents/ann/state', { state: 'ready' })).json().state, 'ready');

  const caller = driver.caller('+31205550001');
  const done = services.get('acd').enqueueCall(caller, { queue: 'sales', customerId: 'c-42' });
  await until(() => driver.ringing('device:ann').length === 1);
  t.same((await get('/api/queues/sales')).json().live, { waiting: 1, longestWaitSeconds: 0, agentsLoggedIn: 1, agentsReady: 0, agentsBusy: 1, agentsOnBreak: 0 }, 'the caller waits while ann is offered the call');
  driver.ringing('device:ann')[0]?.answer();
  await until(() => services.get('acd').agent('ann')?.state === 'on-call');
  t.equal((await get('/api/agents/ann')).json().state, 'on-call');
  caller.farEndHangup();
  await done;
  await services.get('acd').flush();

  const calls = (await get('/api/calls?outcome=answered&agent=ann')).json();
  t.equal(calls.length, 1);
  t.same([calls[0].id, calls[0].customerId, calls[0].queue, calls[0].outcome, calls[0].segments.map((s: { kind: string }) => s.kind)], [caller.id, 'c-42', 'sales', 'answered', ['queue', 'agent']]);
  t.same((await get('/api/calls?outcome=abandoned')).json(), []);
  t.equal((await get(`/api/calls/${caller.id}`)).json().agent, 'ann');
  t.equal((await get('/api/calls/nope')).statusCode, 404);

  const log = (await get('/api/agents/ann/log')).json() as { to: string }[];
  t.same(log.map((l) => l.to), ['ready', 'break', 'ready', 'break', 'ready', 'offered', 'on-call', 'wrap-up']);
  t.equal((await post('/api/agents/ann/state', { state: 'logged-out' })).json().state, 'logged-out');
  t.equal((await app.inject({ method: 'DELETE', url: '/api/agents/ann', headers: { authorization: admin } })).statusCode, 204);
  t.equal((await app.inject({ method: 'DELETE', url: '/api/queues/sales', headers: { authorization: admin } })).statusCode, 204);
  t.same((await get('/api/queues')).json(), []);
});
