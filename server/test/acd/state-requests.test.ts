// What a person may ask of an agent's state through POST /api/agents/:login/state
// while a call is in hand (the API in process, calls from the in-memory driver; the
// same rule over real SIP is in test/acd-sip/busy-agent.test.ts and
// test/campaigns-sip/busy-agent.test.ts):
// - the agent's own ready, break or logout while offered or on a call: 409 TENOR_ERR_AGENT_BUSY naming the state;
// - a supervisor's or admin's forced break or logout then: 200 with `pending`, event
//   agent_state_pending, taken when the call and its wrap-up end;
// - who may force: supervisors and admins; an agent acting on another agent is refused (403).

import t, { type Test } from 'tap';
import path from 'node:path';
import type { TelephonyDriver } from '@tenor/telephony';
import { loadConfig } from '../../src/services/index.js';
import { ServiceManager, defineService } from '../../src/core/service-manager.js';
import type { TenorEvent } from '../../src/core/events.js';
import { createShell } from '../../src/http/shell.js';
import { SESSION_COOKIE } from '../../src/http/cookies.js';
import { sessionsService } from '../../src/services/sessions/index.js';
import { storeService } from '../../src/services/store.js';
import { eventsService } from '../../src/services/events.js';
import { dialingService } from '../../src/services/dialing/service.js';
import { usersService } from '../../src/services/users.js';
import { sipCredentialsService } from '../../src/services/sip-credentials/service.js';
import { acdService } from '../../src/services/acd/service.js';
import { acdRoutes } from '../../src/services/acd/routes.js';
import { queueWithDefaults } from '../../src/services/acd/model.js';
import { silentLogger, sleep, tempDir } from '../helpers.js';
import { FakeClock } from './fake-clock.js';
import { MemoryDriver } from './memory-driver.js';


/** Wait (5 s at most) for something the server does on its own time. */
async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

async function setup(t: Test, wrapUpSeconds: number) {
  const dir = tempDir(t, 'tenor-state-requests-');
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
  services.register(sessionsService());
  await services.startAll();
  // The HTTP shell's access control: Basic users who are ACD agents act as their agent.
  const app = createShell({ services, logger: silentLogger, trustProxy: false, allowedOrigins: [] });
  await app.register(acdRoutes({ services }));
  await app.ready();
  const events: TenorEvent[] = [];
  const unsubscribe = services.get('events').subscribeAll((e) => events.push(e));
  t.teardown(async () => {
    unsubscribe();
    await app.close();
    await services.stopAll();
  });
  const acd = services.get('acd');
  await acd.saveQueue(queueWithDefaults({ name: 'sales', wrapUpSeconds }));
  for (const login of ['ann', 'bob']) await acd.saveAgent({ login, name: login, device: { type: 'softphone' }, skills: {}, queues: [{ queue: 'sales', penalty: 0 }] });
  // Each person is created and signed in (a web session, as the web client) when first needed:
  // a password hash costs seconds on a loaded machine, so one per person, not one per request.
  const roles = { ann: 'agent', bob: 'agent', sue: 'supervisor' } as const;
  const headers = new Map<string, { cookie: string; 'x-csrf-token': string }>();
  const desk = async (who: string) => {
    const known = headers.get(who);
    if (known) return known;
    const password = who === 'admin' ? 'admin-password' : `${who}-password`;
    if (who !== 'admin') await services.get('users').create({ username: who, password, role: roles[who as keyof typeof roles] });
    const { id, session } = await services.get('sessions').login(who, password, { address: '127.0.0.1' });
    const made = { cookie: `${SESSION_COOKIE}=${id}`, 'x-csrf-token': session.csrfToken };
    headers.set(who, made);
    return made;
  };
  const state = async (who: string, login: string, body: object) => {
    const res = await app.inject({ method: 'POST', url: `/api/agents/${login}/state`, payload: body, headers: await desk(who) });
    return { status: res.statusCode, body: res.json() as Record<string, unknown> };
  };
  const view = async (who: string, login: string) => (await app.inject({ method: 'GET', url: `/api/agents/${login}`, headers: await desk(who) })).json() as Record<string, unknown>;
  /** A caller into `sales`, answered by ann's phone: ann is on-call. */
  const annOnCall = async () => {
    const caller = driver.caller('+4930111');
    void acd.enqueueCall(caller, { queue: 'sales' });
    await until("ann's phone to ring", () => driver.ringing('device:ann').length === 1);
    t.equal(acd.agent('ann')?.state, 'offered', 'ann is offered the call');
    return caller;
  };
  const answer = async () => {
    await driver.ringing('device:ann')[0]?.answer();
    await until('ann on the call', () => acd.agent('ann')?.state === 'on-call');
  };
  return { app, acd, driver, events, state, view, annOnCall, answer };
}

t.test("the agent's own ready, break and logout are refused while offered and on a call, naming the state", async (t) => {
  const s = await setup(t, 0);
  t.match(await s.state('ann', 'ann', { state: 'ready' }), { status: 200, body: { state: 'ready', pending: null } }, 'ann logs in ready');
  const caller = await s.annOnCall();
  for (const [body, requested] of [[{ state: 'ready' }, 'ready'], [{ state: 'break', reason: 'coffee' }, 'break'], [{ state: 'logged-out' }, 'logged-out']] as const) {
    t.match(await s.state('ann', 'ann', body), { status: 409, body: { error: { code: 'TENOR_ERR_AGENT_BUSY', details: { state: 'offered', requested } } } }, `${requested} refused while offered`);
  }
  await s.answer();
  for (const [body, requested] of [[{ state: 'ready' }, 'ready'], [{ state: 'break', reason: 'coffee' }, 'break'], [{ state: 'logged-out' }, 'logged-out']] as const) {
    const refused = await s.state('ann', 'ann', body);
    t.match(refused, { status: 409, body: { error: { code: 'TENOR_ERR_AGENT_BUSY', details: { state: 'on-call', requested } } } }, `${requested} refused on a call`);
  }
  t.match(await s.state('admin', 'ann', { state: 'ready' }), { status: 409, body: { error: { code: 'TENOR_ERR_AGENT_BUSY', message: "Agent 'ann' is on-call: ready is refused until the call ends" } } },
    'nobody puts an agent on a call ready, not even an admin');
  t.equal(s.acd.agent('ann')?.state, 'on-call', 'ann is still on the call');
  t.notOk(s.events.some((e) => e.type === 'agent_state_pending'), 'nothing is pending');

  // No second call: a caller arriving now waits; ann is not offered it.
  void s.acd.enqueueCall(s.driver.caller('+4930222'), { queue: 'sales' });
  await until('the second caller waiting', () => s.acd.figures('sales')?.waiting === 1);
  await sleep(200);
  t.equal(s.driver.ringing('device:ann').length, 0, 'ann is offered no second call: the caller waits');

  caller.farEndHangup();
  await until('the second caller offered to ann', () => s.driver.ringing('device:ann').length === 1);
  t.pass('once the first call ended, ann is offered the caller who waited');
});

t.test("a supervisor's forced break during a call is pending, said so, and taken when the wrap-up ends", async (t) => {
  const s = await setup(t, 60);
  await s.state('ann', 'ann', { state: 'ready' });
  const caller = await s.annOnCall();
  await s.answer();

  const forced = await s.state('sue', 'ann', { state: 'break' });
  t.match(forced, { status: 200, body: { state: 'on-call', pending: { state: 'break', reason: 'supervisor' } } }, 'accepted: the answer shows the break pending');
  const pending = s.events.find((e) => e.type === 'agent_state_pending');
  t.match(pending?.payload, { login: 'ann', state: 'break', reason: 'supervisor', during: 'on-call', callId: caller.id }, 'and an event says so');
  t.match(await s.view('sue', 'ann'), { state: 'on-call', pending: { state: 'break' } }, 'the agent view shows it');

  caller.farEndHangup();
  await until('wrap-up', () => s.acd.agent('ann')?.state === 'wrap-up');
  t.match(await s.view('ann', 'ann'), { state: 'wrap-up', pending: { state: 'break' } },
    'the call ended: ann has her wrap-up first');
  t.match(await s.state('ann', 'ann', { state: 'ready' }), { status: 200, body: { state: 'break', reason: 'supervisor', pending: null } },
    'ann ending her wrap-up early takes the pending break, not ready');
  const changes = s.events.filter((e) => e.type === 'agent_state_changed').map((e) => e.payload as { from: string; to: string; reason: string });
  t.same(changes.slice(-2).map((c) => [c.from, c.to, c.reason]), [['on-call', 'wrap-up', 'call ended'], ['wrap-up', 'break', 'supervisor']], 'the state log shows when it took effect');
});

t.test('forced during wrap-up: at once (the wrap-up ends); a forced logout pending on a call wins over a later forced break', async (t) => {
  const s = await setup(t, 60);
  await s.state('ann', 'ann', { state: 'ready' });
  let caller = await s.annOnCall();
  await s.answer();
  caller.farEndHangup();
  await until('wrap-up', () => s.acd.agent('ann')?.state === 'wrap-up');
  t.match(await s.state('sue', 'ann', { state: 'break' }), { status: 200, body: { state: 'break', reason: 'supervisor', pending: null } }, 'a forced break in wrap-up starts now');
  t.notOk(s.events.some((e) => e.type === 'agent_state_pending'), 'nothing was pending');

  await s.state('ann', 'ann', { state: 'ready' });
  caller = await s.annOnCall();
  await s.answer();
  t.match(await s.state('sue', 'ann', { state: 'logged-out' }), { status: 200, body: { pending: { state: 'logged-out', reason: 'logout' } } }, 'a forced logout on the call is pending');
  t.match(await s.state('admin', 'ann', { state: 'break' }), { status: 200, body: { pending: { state: 'logged-out' } } }, 'a later forced break does not replace it');
  caller.farEndHangup();
  await until('wrap-up', () => s.acd.agent('ann')?.state === 'wrap-up');
  t.match(await s.state('ann', 'ann', { state: 'ready' }), { status: 200, body: { state: 'logged-out', pending: null } }, 'ann ending her wrap-up is logged out');
});

t.test('a forced break while the phone rings is taken when the offer ends', async (t) => {
  const s = await setup(t, 0);
  await s.state('ann', 'ann', { state: 'ready' });
  const caller = await s.annOnCall();
  t.match(await s.state('admin', 'ann', { state: 'break', reason: 'meeting' }), { status: 200, body: { state: 'offered', pending: { state: 'break', reason: 'meeting' } } }, "an admin's forced break is pending too");
  caller.farEndHangup();
  await until('the break', () => s.acd.agent('ann')?.state === 'break');
  t.equal(s.acd.agent('ann')?.reason, 'meeting', 'the caller hung up while it rang: the break starts at once');
});

t.test('who may force: supervisors and admins; an agent never acts on another agent', async (t) => {
  const s = await setup(t, 0);
  await s.state('ann', 'ann', { state: 'ready' });
  await s.state('bob', 'bob', { state: 'ready' });
  t.match(await s.state('bob', 'ann', { state: 'break', reason: 'coffee' }), { status: 403, body: { error: { code: 'TENOR_ERR_FORBIDDEN' } } }, 'bob cannot put ann on a break');
  t.match(await s.state('bob', 'ann', { state: 'logged-out' }), { status: 403 }, 'nor log her out');
  await s.annOnCall();
  await s.answer();
  t.match(await s.state('bob', 'ann', { state: 'break', reason: 'coffee' }), { status: 403 }, 'nor while she is on a call');
  t.match(await s.state('bob', 'ann', { state: 'logged-out' }), { status: 403 });
  t.match(await s.state('sue', 'ann', { state: 'ready' }), { status: 403 }, 'a supervisor does not put someone else ready');
  t.same(s.acd.agent('ann')?.pending, undefined, 'nothing pending from the refused requests');
  t.match(await s.state('sue', 'ann', { state: 'logged-out' }), { status: 200, body: { state: 'on-call', pending: { state: 'logged-out' } } }, 'a supervisor forces a logout: pending');
  t.match(await s.state('bob', 'bob', { state: 'break', reason: 'coffee' }), { status: 200, body: { state: 'break', pending: null } }, 'bob, free, takes his own break at once');
});
