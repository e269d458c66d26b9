// The live view of a real call: a SIPp caller known to the CRM dials an entry
// number into a queue, the agent's baresip softphone answers. The agent (web
// session, ready through the REST API with the CSRF token) sees their current
// call with the customer's name, and the supervisor sees the call answered and
// the agent busy; when the caller hangs up the agent's current contact clears.

import t from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Baresip, freeUdpRange, freeUdpTcpPort, startSipp } from '../../../telephony/test/peers/index.js';
import type { CurrentContactEvent, LiveSnapshot } from '../../src/services/live-events/index.js';
import { LiveSocket, login, startAccessServer } from '../access/harness.js';
import { SCENARIOS } from '../acd-sip/site.js';
import { tempDir, testConfig } from '../helpers.js';
import { deviceSecret, withDeviceSecrets } from '../sip-devices.js';

t.test('an agent sees the customer of the call they answer; the supervisor sees it answered', async (t) => {
  const dir = tempDir(t, 'tenor-live-sip-');
  const file = path.join(dir, 'site.yaml');
  writeFileSync(file, JSON.stringify(withDeviceSecrets({
    queues: [{ name: 'sales', ringTimeoutSeconds: 15 }],
    agents: [{ login: 'ann', name: 'Ann', password: 'ann-password', queues: [{ queue: 'sales' }] }],
    entryNumbers: [{ number: '+15550100', queue: 'sales' }],
  })));
  const sipPort = await freeUdpTcpPort();
  const rtp = await freeUdpRange(40, { belowEphemeral: true });
  const config = testConfig(t, { TENOR_CONFIG: file, TENOR_SIP_PORT: String(sipPort), TENOR_RTP_PORT_MIN: String(rtp.from), TENOR_RTP_PORT_MAX: String(rtp.to) });
  const server = await startAccessServer(t, { config });
  const sip = `127.0.0.1:${sipPort}`;
  await server.services.get('users').create({ username: 'sue', password: 'sue-password', role: 'supervisor' });
  const grace = await server.services.get('crm').create('Customer', { name: 'Grace Hopper', phones: ['+31201110001'], segment: 'A' });

  const phone = await Baresip.start({ user: 'ann', registrar: sip, password: deviceSecret('ann'), registerIntervalS: 300, autoAnswer: true });
  t.teardown(() => phone.stop());
  t.equal(await phone.waitForRegistration(15_000), 'ok', "ann's softphone registered");

  const ann = await login(server, 'ann');
  const sue = await login(server, 'sue');
  const ready = await fetch(`${server.url}/api/agents/ann/state`, {
    method: 'POST', headers: { cookie: ann.cookie, 'x-csrf-token': ann.csrf, 'content-type': 'application/json', origin: server.url }, body: JSON.stringify({ state: 'ready' }),
  });
  t.equal(ready.status, 200, 'ann goes ready from her browser session');

  const annSocket = new LiveSocket(t, server.wsUrl, { cookie: ann.cookie });
  const sueSocket = new LiveSocket(t, server.wsUrl, { cookie: sue.cookie });
  for (const s of [annSocket, sueSocket]) await s.until(() => s.snapshots().length === 1, 10_000, 'snapshot');
  t.match(annSocket.snapshots()[0]?.data, { agent: 'ann', current: null, agents: [{ login: 'ann', state: 'ready' }] });

  const caller = await startSipp({
    scenario: path.join(SCENARIOS, 'uac-caller.xml'), remote: sip, service: '+15550100', calls: 1, pauseMs: 8000,
    vars: { caller: '+31201110001' }, timeoutMs: 90_000,
  });
  t.teardown(() => caller.stop(2000));

  const currents = () => (annSocket.events() as CurrentContactEvent[]).filter((e) => e.type === 'current_contact').map((e) => e.payload.current);
  await annSocket.until(() => currents().some((c) => c?.state === 'on-call'), 60_000, 'the agent on the call');
  t.match(currents().find((c) => c?.state === 'on-call'), {
    state: 'on-call', queue: 'sales', callerNumber: '+31201110001', customer: { id: String(grace.id), name: 'Grace Hopper', segment: 'A' },
  }, "the agent's screen: the customer's name and segment");

  await sueSocket.until(() => sueSocket.events().some((e) => e.type === 'call_answered'), 30_000, 'call_answered for the supervisor');
  t.ok(sueSocket.events().some((e) => e.type === 'agent_state_changed' && e.payload.login === 'ann' && e.payload.to === 'on-call'), 'the supervisor sees ann busy');

  const lateJoiner = new LiveSocket(t, server.wsUrl, { cookie: ann.cookie });
  await lateJoiner.until(() => lateJoiner.snapshots().length === 1, 10_000, 'snapshot during the call');
  const during = lateJoiner.snapshots()[0]?.data as LiveSnapshot;
  t.match(during.current, { state: 'on-call', customer: { name: 'Grace Hopper' } }, 'a snapshot during the call shows it too');
  t.match(during.calls, [{ agent: 'ann', state: 'connected', customerId: String(grace.id) }]);
  const supervisorView = new LiveSocket(t, server.wsUrl, { cookie: sue.cookie });
  await supervisorView.until(() => supervisorView.snapshots().length === 1, 10_000, 'supervisor snapshot');
  t.match(supervisorView.snapshots()[0]?.data.agents, [{ login: 'ann', state: 'on-call' }]);

  await annSocket.until(() => currents().at(-1) === null && currents().length > 1, 60_000, 'the call over');
  t.pass("when the caller hangs up the agent's current contact clears");
  lateJoiner.ws.close();
  supervisorView.ws.close();
});
