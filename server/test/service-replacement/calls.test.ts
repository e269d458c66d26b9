// Replacing a service at run time keeps calls going through: after each service
// on a call's path is reloaded through the services API (POST
// /api/services/:name/replace without a body: a fresh instance of the same
// definition), a SIPp caller dials a queue's number and a flow's number and a
// baresip agent answers both. The telephony engine takes over the old one's
// registrations: the agent's phone is reached without registering again
// (docs/services.md).
import t, { type Test } from 'tap';
import type { Baresip } from '../../../telephony/test/peers/index.js';
import { agentPhone, caller, finished } from '../acd-sip/site.js';
import { startIvrSite, type IvrSite } from '../ivr-sip/site.js';
import { withDeviceSecrets } from '../sip-devices.js';

const FLOW = `
name: main
version: 1
language: en
timezone: UTC
start: route
nodes:
  route: { type: queue, queue: sales }
`;

const site = withDeviceSecrets({
  queues: [{ name: 'sales', ringTimeoutSeconds: 10, wrapUpSeconds: 0 }],
  agents: [{ login: 'ann', name: 'Ann', password: 'ann-secret-word', queues: [{ queue: 'sales' }] }],
  entryNumbers: [{ number: '+15550100', queue: 'sales' }, { number: '+15550200', flow: 'main' }],
});

/** The services on an inbound call's path, each reloaded in turn. */
const ON_THE_CALL_PATH = ['telephony', 'ingress', 'acd', 'ivr', 'entryNumbers', 'events', 'dialing', 'sipCredentials', 'crm', 'users', 'store'];

async function reload(s: IvrSite, name: string): Promise<{ status: number; json: unknown }> {
  return s.api('POST', `/api/services/${name}/replace`);
}

/** A caller dials `number`; ann answers; the caller hangs up after 1 s and SIPp reports the call successful. */
async function callGoesThrough(t: Test, s: IvrSite, number: string, callerNumber: string): Promise<void> {
  const from = s.bus.events.length;
  const p = await caller(t, s, { number, caller: callerNumber, stayMs: 1500 });
  const answered = await s.bus.wait('call_answered', (e) => e.agent === 'ann', 30_000, from).catch((err: unknown) => {
    throw new Error(`${String(err)}\n${JSON.stringify(s.bus.events.slice(from).map((e) => [e.type, e.payload]))}`);
  });
  t.equal(answered.payload.queue, 'sales', `${number}: answered by ann in sales`);
  await finished(p, `the caller of ${number}`);
  await s.bus.wait('agent_state_changed', (e) => e.login === 'ann' && e.to === 'ready', 15_000, from);
}

/** The registrations the phone has had answered so far. */
function registrations(phone: Baresip): number {
  return phone.events.filter((e) => e.type === 'REGISTER_OK').length;
}

t.test('after each service on the call path is replaced, calls to a queue and to a flow still reach the agent', { timeout: 400_000 }, async (t) => {
  const s = await startIvrSite(t, { site, flows: { main: FLOW } });
  const phone: Baresip = await agentPhone(t, s, 'ann');
  t.equal((await s.api('POST', '/api/agents/ann/state', { state: 'ready' })).status, 200, 'ann is ready');

  await callGoesThrough(t, s, '+15550100', '+31201110001');
  await callGoesThrough(t, s, '+15550200', '+31201110002');

  let n = 10;
  for (const name of ON_THE_CALL_PATH) {
    const registered = registrations(phone);
    const replaced = await reload(s, name);
    t.equal(replaced.status, 200, `${name} replaced: ${JSON.stringify(replaced.json)}`);
    if (name === 'telephony') {
      const telephony = s.services.get('telephony');
      t.equal(telephony.stats().resources['registrations'], 1, "the new engine has taken over the phone's registration");
    }
    await callGoesThrough(t, s, '+15550100', `+312011100${n++}`);
    await callGoesThrough(t, s, '+15550200', `+312011100${n++}`);
    // Its registration lasts 300 s (refreshed near its end): the engine, replaced first, reaches it well before.
    if (name === 'telephony') t.equal(registrations(phone), registered, "ann's phone was reached without registering again");
    t.pass(`calls go through after ${name} was replaced`);
  }
  const services = (await s.api('GET', '/api/services')).json as { name: string; status: string }[];
  t.same(services.filter((x) => x.status !== 'running').map((x) => x.name), [], 'every service is running');
});
