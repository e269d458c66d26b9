// Direct media through the whole server (issue 19): a caller through a trunk
// with `directMedia: true` reaches an agent whose softphone (baresip) has
// `device.directMedia: true`; once connected, both are re-INVITEd to each other
// and Tenor hears nothing; a supervisor's listen brings the call back through
// Tenor first, and stopping it lets the call go direct again; the agent's
// hang-up ends the call cleanly.
import path from 'node:path';
import t from 'tap';
import { Baresip, makeToneUlaw, startSipp } from '../../../telephony/test/peers/index.js';
import { tempDir } from '../helpers.js';
import { agentPhone, SCENARIOS, sleep, within } from '../acd-sip/site.js';
import { CARRIER_ADDRESS, carrierTrunk } from '../engines/engine.js';
import { ann, sue } from '../engines/monitor-scenario.js';
import { deviceSecret } from '../sip-devices.js';
import { startMonitorSite } from './harness.js';

t.test('a connected call goes direct; a supervisor listening brings it back through Tenor, and it leaves again after', async (t) => {
  const s = await startMonitorSite(t, {
    queues: [{ name: 'sales', ringTimeoutSeconds: 10 }],
    agents: [{ login: 'ann', name: 'Ann', password: ann.password, queues: [{ queue: 'sales' }], device: { type: 'softphone', directMedia: true } }],
    entryNumbers: [{ number: '+15550100', queue: 'sales' }],
    trunks: [{ ...carrierTrunk, directMedia: true }],
  }, [{ ...sue, role: 'supervisor' }]);
  const telephony = s.services.get('telephony');
  const offTenor = (): number => telephony.stats().resources['bridgesOffTenor'] ?? 0;
  const waitFor = async (check: () => boolean, what: string): Promise<void> => {
    await within((async () => { while (!check()) await sleep(50); })(), 15_000, what);
  };

  const annPhone = await agentPhone(t, s, 'ann');
  const suePhone = await Baresip.start({ user: 'sue', registrar: s.sip, password: deviceSecret('sue'), registerIntervalS: 300, autoAnswer: true, mic: { sineHz: 1200 } });
  t.teardown(() => suePhone.stop());
  t.equal(await suePhone.waitForRegistration(15_000), 'ok', "the supervisor's softphone registered");

  const tone = await makeToneUlaw(path.join(tempDir(t), 'caller.ul'), { seconds: 1, frequency: 700 });
  await s.setState('ann', 'ready');
  const callerProc = await startSipp({
    scenario: path.join(SCENARIOS, 'uac-caller-tone-follow-reinvites.xml'), remote: s.sip, service: '+15550100', calls: 1,
    vars: { caller: '+31201110001' }, localAddress: CARRIER_ADDRESS, files: { 'audio.ul': tone }, timeoutMs: 90_000,
  });
  t.teardown(() => callerProc.stop(2000));
  await s.bus.wait('call_answered');
  await waitFor(() => s.acd.connectedLegs('ann') !== undefined, 'the bridge');
  await waitFor(() => offTenor() === 1, 'the call going direct');
  t.pass('the connected call left Tenor (both ends re-INVITEd to each other)');

  const started = await s.request(sue, 'POST', '/api/agents/ann/call/monitor', { mode: 'listen' });
  t.equal(started.status, 201, `listen started (${JSON.stringify(started.body)})`);
  t.equal(offTenor(), 0, 'the monitor started once the audio was back on Tenor');
  const id = String(started.body['id']);
  t.equal((await s.request(sue, 'DELETE', `/api/monitors/${id}`)).status, 204, 'the supervisor stops listening');
  await waitFor(() => offTenor() === 1, 'direct again');
  t.pass('direct again once nobody listens');

  await annPhone.hangup();
  const result = await within(callerProc.done, 30_000, 'the caller to finish');
  t.equal(result.code, 0, `the caller saw a clean call (${result.errors.slice(0, 300)})`);
  const moves = [...result.logs.matchAll(/REINVITE m=(\d+)/g)].length;
  t.ok(moves >= 3, `the caller followed the moves (${moves} re-INVITEs: off, back for the monitor, off again)`);
  await waitFor(() => telephony.stats().activeCalls === 0 || offTenor() === 0, 'the bridge gone');
  t.equal(offTenor(), 0, 'no bridge left off Tenor');
});
